import { useState, type FormEvent, type ReactNode } from 'react';
import { DateTimeInput } from '../components/TimeInput.js';
import { api, query } from '../api.js';
import { CopyButton } from '../components/CopyButton.js';
import { curlCommand } from '../components/curl.js';
import { ErrorNotice } from '../components/Notice.js';
import { formatSeconds, wallTimeToIso } from '../time.js';
import { BROWSER_ZONE } from '../zone.js';
import type { QueueSettings } from '../types.js';

interface QueueStatus {
  ewt: number;
  offerImmediateCallback: boolean;
  offerScheduledCallback: boolean;
}
interface OpenFor {
  openFor: number;
  immediateOfferHoursOpenFor?: number;
  isWithinImmediateOfferTime?: boolean;
  isImmediateEnabled?: boolean;
}
interface Availability {
  slots: { utcTime: string; localTime: string; capacity: number; total: number }[];
  durationMin: number;
  timezone: string;
}

interface Answer<T> {
  path: string;
  data?: T;
  error?: unknown;
}

/** Asks the Engagement API (through the console's mirror of it) and keeps the last answer. */
function useAsk<T>() {
  const [answer, setAnswer] = useState<Answer<T> | undefined>();
  const [busy, setBusy] = useState(false);
  const ask = async (path: string) => {
    setBusy(true);
    try {
      setAnswer({ path, data: await api<T>(`/queue-check${path}`) });
    } catch (error) {
      setAnswer({ path, error });
    } finally {
      setBusy(false);
    }
  };
  return { answer, busy, ask };
}

/** The request as the Engagement API receives it, and what it answered. */
function Exchange({ answer, children }: { answer: Answer<unknown>; children?: ReactNode }) {
  const curl = curlCommand({ method: 'GET', url: `/engagement/v3${answer.path}` });
  return (
    <div className="qcheck-answer">
      <ErrorNotice error={answer.error} />
      {children}
      {answer.data !== undefined && (
        <details>
          <summary>Answer as JSON (data)</summary>
          <pre className="json">{JSON.stringify(answer.data, null, 2)}</pre>
        </details>
      )}
      <p className="small muted">The request, for your own client:</p>
      <pre className="json qcheck-curl" data-testid="qcheck-curl">
        {curl}
      </pre>
      <CopyButton text={curl} label="Copy as curl" />
    </div>
  );
}

const yesNo = (b: boolean | undefined) => (b === undefined ? '–' : b ? 'yes' : 'no');

/** Why "As soon as possible" is not offered, from open-for's three flags. */
function whyNoImmediate(o: OpenFor): string {
  if (o.isImmediateEnabled === false) return 'immediate callbacks are switched off for this queue';
  if (o.openFor === 0) return 'the queue is closed now';
  if (o.immediateOfferHoursOpenFor === 0) return 'now is outside its Immediate Offer Hours';
  return 'the estimated wait would run past closing (or into the blackout before it)';
}

function QueueStatusCheck({ queue }: { queue: string }) {
  const status = useAsk<QueueStatus>();
  const open = useAsk<OpenFor>();
  const check = async () => {
    const q = encodeURIComponent(queue);
    await Promise.all([
      status.ask(`/callbacks/queue-status/${q}`),
      open.ask(
        `/callbacks/open-for/${q}?queryImmediateOfferHours=true&returnWithinImmediateOfferTime=true&checkImmediateEnabled=true`,
      ),
    ]);
  };
  const s = status.answer?.data;
  const o = open.answer?.data;
  return (
    <div className="qcheck-part" aria-labelledby="qcheck-status-title">
      <h3 id="qcheck-status-title">Queue status</h3>
      <p className="muted small">What a booking page should offer right now.</p>
      <button type="button" className="primary" disabled={status.busy} onClick={() => void check()}>
        {status.busy ? 'Asking…' : 'Check queue status'}
      </button>
      {status.answer && (
        <Exchange answer={status.answer}>
          {s && (
            <dl className="facts" data-testid="qcheck-status">
              <dt>Estimated wait (ewt)</dt>
              <dd>{s.ewt < 0 ? 'unknown (-1): no agents reported yet' : formatSeconds(s.ewt)}</dd>
              <dt>Offer “As soon as possible”</dt>
              <dd>{yesNo(s.offerImmediateCallback)}</dd>
              <dt>Offer a scheduled time</dt>
              <dd>{yesNo(s.offerScheduledCallback)}</dd>
            </dl>
          )}
          {s && !s.offerImmediateCallback && (
            <p className="notice info" data-testid="qcheck-asap">
              “As soon as possible” should not be offered now
              {o ? `: ${whyNoImmediate(o)}` : ''}. The API still books an immediate callback if a
              client sends one (as Genesys does): it waits in the queue until the office opens, and
              the end-of-day purge may complete it unanswered. Offer a scheduled time instead.
            </p>
          )}
        </Exchange>
      )}
    </div>
  );
}

const FLAGS: {
  name: Exclude<keyof OpenFor, 'openFor'>;
  param: string;
  label: string;
  hint: string;
}[] = [
  {
    name: 'immediateOfferHoursOpenFor',
    param: 'queryImmediateOfferHours',
    label: 'queryImmediateOfferHours',
    hint: 'Seconds until the Immediate Offer Hours end today: -1 when the queue has none, 0 outside them.',
  },
  {
    name: 'isWithinImmediateOfferTime',
    param: 'returnWithinImmediateOfferTime',
    label: 'returnWithinImmediateOfferTime',
    hint: 'Whether an immediate callback can be offered now, judged on now plus the current wait.',
  },
  {
    name: 'isImmediateEnabled',
    param: 'checkImmediateEnabled',
    label: 'checkImmediateEnabled',
    hint: "The queue's immediate-enabled setting.",
  },
];

function flagValue(value: number | boolean | undefined): string {
  if (value === undefined) return '–';
  if (typeof value === 'boolean') return yesNo(value);
  if (value === -1) return '-1 (no Immediate Offer Hours configured)';
  if (value === 0) return '0 (outside them now)';
  return `${value} s (${formatSeconds(value)})`;
}

function OpenForCheck({ queue, zone }: { queue: string; zone: string }) {
  const open = useAsk<OpenFor>();
  const [start, setStart] = useState('');
  const [flags, setFlags] = useState<Record<string, boolean>>({
    queryImmediateOfferHours: true,
    returnWithinImmediateOfferTime: true,
    checkImmediateEnabled: true,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params: Record<string, string | undefined> = {
      start: start === '' ? undefined : wallTimeToIso(start, zone),
      timezone: zone,
    };
    for (const f of FLAGS) if (flags[f.param]) params[f.param] = 'true';
    void open.ask(`/callbacks/open-for/${encodeURIComponent(queue)}${query(params)}`);
  };
  const o = open.answer?.data;
  return (
    <form className="qcheck-part" onSubmit={submit} aria-labelledby="qcheck-open-title">
      <h3 id="qcheck-open-title">Open for</h3>
      <p className="muted small">How long the office stays open, with each optional flag.</p>
      <DateTimeInput
        label={`As if now were (optional, ${zone})`}
        value={start}
        onChange={setStart}
      />
      <fieldset className="qcheck-flags">
        <legend>Flags</legend>
        {FLAGS.map((f) => (
          <label key={f.param} className="check">
            <input
              type="checkbox"
              checked={flags[f.param] ?? false}
              onChange={(e) => setFlags((v) => ({ ...v, [f.param]: e.target.checked }))}
            />
            <span>
              <code>{f.label}</code>
              <span className="muted small"> {f.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={open.busy}>
        {open.busy ? 'Asking…' : 'Ask open-for'}
      </button>
      {open.answer && (
        <Exchange answer={open.answer}>
          {o && (
            <dl className="facts" data-testid="qcheck-open">
              <dt>openFor</dt>
              <dd>
                {o.openFor === 0
                  ? '0 (closed now)'
                  : `${o.openFor} s (${formatSeconds(o.openFor)})`}
              </dd>
              {FLAGS.filter((f) => o[f.name] !== undefined).map((f) => (
                <FlagRow key={f.name} name={f.name} value={o[f.name]} />
              ))}
            </dl>
          )}
        </Exchange>
      )}
    </form>
  );
}

function FlagRow({ name, value }: { name: string; value: number | boolean | undefined }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{flagValue(value)}</dd>
    </>
  );
}

function AvailabilityCheck({ queue, zone }: { queue: string; zone: string }) {
  const slots = useAsk<Availability>();
  const [start, setStart] = useState('');
  const [days, setDays] = useState('1');
  const [max, setMax] = useState('');
  const [reportBusy, setReportBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = {
      start: start === '' ? undefined : wallTimeToIso(start, zone),
      numberOfDays: days,
      timezone: zone,
      maxTimeSlots: max,
      reportBusy: reportBusy ? 'true' : undefined,
    };
    void slots.ask(`/callbacks/availability/${encodeURIComponent(queue)}${query(params)}`);
  };
  const a = slots.answer?.data;
  return (
    <form
      className="qcheck-part qcheck-wide"
      onSubmit={submit}
      aria-labelledby="qcheck-avail-title"
    >
      <h3 id="qcheck-avail-title">Availability</h3>
      <p className="muted small">The open slots a booking page would offer.</p>
      <div className="filters">
        <DateTimeInput label={`From (empty: now, ${zone})`} value={start} onChange={setStart} />
        <label>
          Days
          <input
            type="number"
            min={1}
            max={31}
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
        </label>
        <label>
          At most (slots)
          <input
            type="number"
            min={1}
            max={10000}
            value={max}
            onChange={(e) => setMax(e.target.value)}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={reportBusy}
            onChange={(e) => setReportBusy(e.target.checked)}
          />
          Include full slots (reportBusy)
        </label>
        <button type="submit" className="primary" disabled={slots.busy}>
          {slots.busy ? 'Asking…' : 'Ask availability'}
        </button>
      </div>
      {slots.answer && (
        <Exchange answer={slots.answer}>
          {a && (
            <>
              <p data-testid="qcheck-slots-summary">
                {a.slots.length} slot{a.slots.length === 1 ? '' : 's'} of {a.durationMin} min;
                localTime in {a.timezone}.
              </p>
              {a.slots.length === 0 ? (
                <p className="empty">
                  No open slot in this range: the queue is closed then, or every slot is full (tick
                  “Include full slots” to see them).
                </p>
              ) : (
                <div className="table-wrap qcheck-slots">
                  <table className="grid responsive" aria-label="Slots">
                    <thead>
                      <tr>
                        <th scope="col">localTime</th>
                        <th scope="col">utcTime</th>
                        <th scope="col">Free (capacity)</th>
                        <th scope="col">Of (total)</th>
                      </tr>
                    </thead>
                    <tbody>
                      {a.slots.map((slot) => (
                        <tr key={slot.utcTime}>
                          <td data-label="localTime" className="mono">
                            {slot.localTime}
                          </td>
                          <td data-label="utcTime" className="mono">
                            {slot.utcTime}
                          </td>
                          <td data-label="Free">{slot.capacity}</td>
                          <td data-label="Of">{slot.total}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </Exchange>
      )}
    </form>
  );
}

/**
 * The troubleshooting checks the admin guide centres on: queue-status, open-for with its flags
 * and availability for a range and zone, each answered exactly as the Engagement API answers a
 * client, with the request as curl.
 */
export function QueueCheck({ queues }: { queues: readonly QueueSettings[] }) {
  const [name, setName] = useState('');
  const [zoneChoice, setZoneChoice] = useState<'queue' | 'browser' | 'UTC'>('queue');
  const current = queues.find((q) => q.name === name) ?? queues[0];
  if (current === undefined) return null;
  const zone =
    zoneChoice === 'queue' ? current.timezone : zoneChoice === 'browser' ? BROWSER_ZONE : 'UTC';
  return (
    <section className="card qcheck" aria-labelledby="qcheck-title">
      <div className="section-head">
        <h2 id="qcheck-title">Queue check</h2>
        <span className="muted">What the Engagement API answers now</span>
        <span className="spacer" />
        <a href="/docs" target="_blank" rel="noreferrer">
          API reference (/docs)
        </a>
      </div>
      <div className="filters">
        <label>
          Queue to check
          <select value={current.name} onChange={(e) => setName(e.target.value)}>
            {queues.map((q) => (
              <option key={q.name}>{q.name}</option>
            ))}
          </select>
        </label>
        <label>
          Zone asked for (timezone=)
          <select
            value={zoneChoice}
            onChange={(e) => setZoneChoice(e.target.value as 'queue' | 'browser' | 'UTC')}
          >
            <option value="queue">Queue ({current.timezone})</option>
            <option value="browser">This browser ({BROWSER_ZONE})</option>
            <option value="UTC">UTC</option>
          </select>
        </label>
      </div>
      <div className="qcheck-grid" key={`${current.name}:${zone}`}>
        <QueueStatusCheck queue={current.name} />
        <OpenForCheck queue={current.name} zone={zone} />
        <AvailabilityCheck queue={current.name} zone={zone} />
      </div>
    </section>
  );
}
