import { useState, type FormEvent } from 'react';
import { api, fieldIssues, messageOf } from '../api.js';
import { Notice } from '../components/Notice.js';
import { useUnsaved } from '../unsaved.js';
import type { BusinessHours, QueueSettings } from '../types.js';
import { CapacityRuleEditor } from './CapacityRuleEditor.js';
import { CheckField, NumberField, TextField } from './fields.js';
import { HoursEditor, WEEKDAY_KEYS } from './HoursEditor.js';
import { NumberRuleEditor } from './NumberRuleEditor.js';

const ZONES = Intl.supportedValuesOf('timeZone');
const OPTIONAL = [
  'businessHours',
  'capacityRule',
  'immediateOfferHours',
  'maxEwtSeconds',
  'routePoint',
  'surveyRoutePoint',
] as const;
const DEFAULT_HOURS: BusinessHours = {
  weekly: Object.fromEntries(WEEKDAY_KEYS.slice(0, 5).map((d) => [d, [['09:00', '17:00']]])),
  special: [],
};

type NumericSetting = {
  [K in keyof QueueSettings]-?: QueueSettings[K] extends number ? K : never;
}[keyof QueueSettings];

/**
 * The settings as a merge patch: every field as edited, and null for optional ones the user
 * removed. Weekdays are sent explicitly (empty = closed) so a closed day does not merge back.
 */
function toPatch(draft: QueueSettings): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...draft };
  for (const key of OPTIONAL) if (draft[key] === undefined) patch[key] = null;
  const withAllDays = (h: BusinessHours | undefined) =>
    h && { ...h, weekly: Object.fromEntries(WEEKDAY_KEYS.map((d) => [d, h.weekly[d] ?? []])) };
  if (draft.businessHours) patch.businessHours = withAllDays(draft.businessHours);
  if (draft.immediateOfferHours) patch.immediateOfferHours = withAllDays(draft.immediateOfferHours);
  return patch;
}

/** Edits every setting of one queue; the server validates and names the field that is wrong. */
export function QueueEditor({
  settings,
  onSaved,
}: {
  settings: QueueSettings;
  onSaved: (s: QueueSettings) => void;
}) {
  const [baseline, setBaseline] = useState(settings);
  const [draft, setDraft] = useState(settings);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // Problems by field path ("timezone", "businessHours.weekly.mon[0]"), shown at the field.
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | undefined>();
  const dirty = JSON.stringify(draft) !== JSON.stringify(baseline);
  useUnsaved(dirty, `the settings of ${settings.name}`);
  const set = <K extends keyof QueueSettings>(key: K, value: QueueSettings[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
    setIssues(({ [key]: _fixed, ...rest }) => rest);
  };
  /** The problem of a setting and everything inside it. */
  const issue = (key: string): string | undefined => {
    const found = Object.entries(issues).filter(
      ([path]) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`),
    );
    if (found.length === 0) return undefined;
    return found
      .map(([path, m]) => (path === key ? m : `${path.slice(key.length + 1)}: ${m}`))
      .join('; ');
  };
  // An emptied box sends 0, which the server accepts or refuses naming the field.
  const num = (key: NumericSetting) => (v: number | undefined) => set(key, v ?? 0);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    // Checked here first so the answer comes at once and in plain words.
    if (!ZONES.includes(draft.timezone)) {
      setIssues({
        timezone: `"${draft.timezone}" is not a time zone name we know. Pick one from the list, such as Europe/London.`,
      });
      return;
    }
    setBusy(true);
    try {
      const result = await api<QueueSettings>(`/queues/${encodeURIComponent(settings.name)}`, {
        method: 'PATCH',
        body: toPatch(draft),
      });
      setIssues({});
      setBaseline(result);
      setDraft(result);
      setSaved(true);
      onSaved(result);
    } catch (err) {
      const found = fieldIssues(err);
      setIssues(found ?? {});
      setFailure(found ? undefined : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const problems = Object.keys(issues).length;

  const tz = draft.timezone;
  return (
    <form
      className="queue-editor"
      onSubmit={(e) => void save(e)}
      aria-label={`Settings of ${settings.name}`}
    >
      <fieldset>
        <legend>Slots and offers</legend>
        <div className="field-grid">
          <TextField
            label="Time zone"
            value={draft.timezone}
            list={ZONES}
            error={issue('timezone')}
            onChange={(v) => set('timezone', v ?? '')}
          />
          <NumberField
            label="Slot duration (minutes)"
            min={5}
            max={120}
            value={draft.slotDurationMinutes}
            onChange={num('slotDurationMinutes')}
            error={issue('slotDurationMinutes')}
          />
          <NumberField
            label="Slot capacity"
            min={0}
            value={draft.slotCapacity}
            onChange={num('slotCapacity')}
            error={issue('slotCapacity')}
          />
          <NumberField
            label="Max days ahead"
            min={1}
            max={365}
            value={draft.maxScheduleAheadDays}
            onChange={num('maxScheduleAheadDays')}
            error={issue('maxScheduleAheadDays')}
          />
          <NumberField
            label="Priority"
            min={0}
            value={draft.priority}
            onChange={num('priority')}
            error={issue('priority')}
          />
          <NumberField
            label="Max waiting immediate callbacks"
            min={0}
            value={draft.maxQueuedImmediate}
            onChange={num('maxQueuedImmediate')}
            error={issue('maxQueuedImmediate')}
          />
        </div>
        <div className="checks">
          <CheckField
            label="Immediate callbacks enabled"
            checked={draft.immediateEnabled}
            onChange={(v) => set('immediateEnabled', v)}
          />
          <CheckField
            label="Scheduled callbacks enabled"
            checked={draft.scheduledEnabled}
            onChange={(v) => set('scheduledEnabled', v)}
          />
          <CheckField
            label="Refuse full slots on create"
            checked={draft.enforceCapacityOnCreate}
            onChange={(v) => set('enforceCapacityOnCreate', v)}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Business hours</legend>
        {issue('businessHours') && <p className="field-error">{issue('businessHours')}</p>}
        <CheckField
          label="Open 24/7 (no business hours)"
          checked={draft.businessHours === undefined}
          onChange={(v) => set('businessHours', v ? undefined : DEFAULT_HOURS)}
        />
        {draft.businessHours && (
          <HoursEditor
            title="Weekly hours"
            timezone={tz}
            value={draft.businessHours}
            onChange={(v) => set('businessHours', v)}
          />
        )}
      </fieldset>

      <fieldset>
        <legend>Immediate offer</legend>
        {issue('immediateOfferHours') && (
          <p className="field-error">{issue('immediateOfferHours')}</p>
        )}
        <CheckField
          label="Offer immediate callbacks only during their own hours"
          checked={draft.immediateOfferHours !== undefined}
          onChange={(v) => set('immediateOfferHours', v ? DEFAULT_HOURS : undefined)}
        />
        {draft.immediateOfferHours && (
          <HoursEditor
            title="Immediate offer hours"
            timezone={tz}
            value={draft.immediateOfferHours}
            onChange={(v) => set('immediateOfferHours', v)}
          />
        )}
        <div className="field-grid">
          <NumberField
            label="Blackout before close (minutes)"
            min={0}
            max={1440}
            value={draft.immediateBlackoutMinutes}
            onChange={num('immediateBlackoutMinutes')}
            error={issue('immediateBlackoutMinutes')}
          />
          <NumberField
            label="Longest estimated wait to offer “As soon as possible” (seconds)"
            hint="empty = no limit"
            min={0}
            value={draft.maxEwtSeconds}
            onChange={(v) => set('maxEwtSeconds', v)}
            error={issue('maxEwtSeconds')}
          />
          <NumberField
            label="Push the customer when the estimated wait falls below (minutes)"
            min={0}
            value={draft.pushThresholdMinutes}
            onChange={num('pushThresholdMinutes')}
            error={issue('pushThresholdMinutes')}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Limits, retries and purge</legend>
        <div className="field-grid">
          <label>
            Duplicate check
            <select
              value={draft.duplicateCheck}
              onChange={(e) =>
                set('duplicateCheck', e.target.value as QueueSettings['duplicateCheck'])
              }
            >
              <option value="lenient">lenient (refuse a third active)</option>
              <option value="strict">strict (refuse a second active)</option>
              <option value="off">off</option>
            </select>
          </label>
          <NumberField
            label="Callbacks per number per day"
            hint="0 = no limit"
            min={0}
            value={draft.throttlePerNumberPerDay}
            onChange={num('throttlePerNumberPerDay')}
            error={issue('throttlePerNumberPerDay')}
          />
          <NumberField
            label="Max attempts"
            min={1}
            value={draft.maxAttempts}
            onChange={num('maxAttempts')}
            error={issue('maxAttempts')}
          />
          <NumberField
            label="Retry delay (seconds)"
            min={0}
            value={draft.retryDelaySeconds}
            onChange={num('retryDelaySeconds')}
            error={issue('retryDelaySeconds')}
          />
          <NumberField
            label="Time to live after desired time (seconds)"
            min={60}
            value={draft.ttlSeconds}
            onChange={num('ttlSeconds')}
            error={issue('ttlSeconds')}
          />
          <NumberField
            label="Keep completed records (days)"
            min={1}
            value={draft.retentionDays}
            onChange={num('retentionDays')}
            error={issue('retentionDays')}
          />
          <NumberField
            label="Purge after waiting (minutes, 24/7 queues)"
            hint="empty = never"
            min={1}
            value={draft.purge.afterMinutes ?? undefined}
            error={issue('purge')}
            onChange={(v) => set('purge', { ...draft.purge, afterMinutes: v ?? null })}
          />
          <TextField
            label="Route point"
            value={draft.routePoint}
            onChange={(v) => set('routePoint', v)}
          />
          <TextField
            label="Survey route point"
            value={draft.surveyRoutePoint}
            onChange={(v) => set('surveyRoutePoint', v)}
          />
        </div>
        <CheckField
          label="Purge waiting callbacks at the end of each business day"
          checked={draft.purge.atEndOfBusinessDay}
          onChange={(v) => set('purge', { ...draft.purge, atEndOfBusinessDay: v })}
        />
      </fieldset>

      <CapacityRuleEditor
        value={draft.capacityRule ?? []}
        defaultCapacity={draft.slotCapacity}
        onChange={(v) => set('capacityRule', v.length === 0 ? undefined : v)}
      />
      <NumberRuleEditor
        queue={settings.name}
        value={draft.numberRule}
        onChange={(v) => set('numberRule', v)}
      />

      {(issue('capacityRule') ?? issue('numberRule')) && (
        <p className="field-error">
          {[issue('capacityRule'), issue('numberRule')].filter(Boolean).join('; ')}
        </p>
      )}
      <div className="savebar">
        {problems > 0 && (
          <Notice kind="error">
            Not saved: {problems === 1 ? 'one setting needs' : `${problems} settings need`} a fix
            (marked in red above).
          </Notice>
        )}
        {failure && <Notice kind="error">Not saved: {failure}</Notice>}
        {saved && !dirty && <Notice kind="ok">Settings of {settings.name} saved.</Notice>}
        {dirty && <span className="muted small">Unsaved changes</span>}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}
