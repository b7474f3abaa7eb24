import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Loading } from '../components/Loading.js';
import { Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import { formatInZone, localDate, timeInZone } from '../time.js';
import type { CallbackSummary, QueueSettings, SlotReport } from '../types.js';
import { useZone } from '../zone.js';
import { SlotPicker } from './SlotPicker.js';

/** Far enough ahead to find the next opening past a long holiday. */
const OPENING_DAYS_AHEAD = 14;

/** When a closed queue opens next and when that business day closes (its last slot's end). */
function nextBusinessDay(report: SlotReport): { opens: string; closes: number } | undefined {
  const first = report.slots[0];
  if (!first) return undefined;
  const date = localDate(first.utcTime, report.timezone);
  const sameDay = report.slots.filter((s) => localDate(s.utcTime, report.timezone) === date);
  const last = sameDay.at(-1) ?? first;
  return { opens: first.utcTime, closes: Date.parse(last.utcTime) + report.durationMin * 60_000 };
}

/**
 * What "As soon as possible" does while the queue is closed, as the service really does it: the
 * booking is accepted and queued at once (office hours never refuse a booking), a dialer asking
 * for work gets it even before opening, and the end-of-day purge completes it if still waiting.
 */
function ClosedQueueNote({ queue }: { queue: QueueSettings }) {
  const zone = useZone();
  const name = encodeURIComponent(queue.name);
  const state = useLoad(async () => {
    const open = await api<{ openFor: number }>(`/queue-check/callbacks/open-for/${name}`);
    if (open.openFor > 0) return { closed: false as const };
    const report = await api<SlotReport>(`/queues/${name}/slots?days=${OPENING_DAYS_AHEAD}`);
    return { closed: true as const, next: nextBusinessDay(report) };
  }, queue.name);
  // A 24/7 queue never closes: nothing to ask.
  if (queue.businessHours === undefined) return null;
  if (state.loading) return <Loading what="the queue's hours" />;
  if (!state.data?.closed) return null;
  const { next } = state.data;
  const { purge } = queue;
  return (
    <Notice kind="info">
      <span data-testid="closed-queue-note">
        The queue is closed now
        {next
          ? `; it opens next on ${formatInZone(next.opens, zone)}.`
          : ' and has no opening in the next two weeks.'}{' '}
        The callback is booked anyway and queued at once: a dialer asking for work gets it even
        before the queue opens.
        {purge.atEndOfBusinessDay &&
          (next
            ? ` If it is still waiting when that business day closes (${timeInZone(next.closes, zone)}), the end-of-day purge completes it unanswered.`
            : ' If it is still waiting at the close of the next business day, the end-of-day purge completes it unanswered.')}
        {purge.afterMinutes !== null &&
          ` It is purged after waiting ${purge.afterMinutes} minutes unanswered.`}{' '}
        To have it called at a set time, choose Scheduled.
      </span>
    </Notice>
  );
}

interface Props {
  queues: QueueSettings[];
  onCreated: (callback: CallbackSummary) => void;
  onClose: () => void;
}

/** Books a callback: immediate, or scheduled into a free slot. */
export function CreateForm({ queues, onCreated, onClose }: Props) {
  const [queue, setQueue] = useState(queues[0]?.name ?? '');
  const settings = queues.find((q) => q.name === queue);
  const [phone, setPhone] = useState('');
  const [kind, setKind] = useState<'immediate' | 'scheduled'>('immediate');
  const [slot, setSlot] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body =
      kind === 'immediate'
        ? { serviceName: queue, phoneNumber: phone }
        : { serviceName: queue, phoneNumber: phone, desiredTime: slot, alwaysCheckCapacity: true };
    const created = await run(() => api<CallbackSummary>('/callbacks', { body }));
    if (created) onCreated(created);
  };

  if (queues.length === 0)
    return <Notice kind="info">Create a queue in the Tools tab first.</Notice>;
  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="Create a callback">
      <h3>Create a callback</h3>
      <label>
        Queue
        <select name="queue" value={queue} onChange={(e) => setQueue(e.target.value)}>
          {queues.map((q) => (
            <option key={q.name}>{q.name}</option>
          ))}
        </select>
      </label>
      <label>
        Phone number
        <input
          name="phoneNumber"
          type="tel"
          required
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          placeholder="+1 212 555 0100"
        />
      </label>
      <fieldset className="inline">
        <legend>When</legend>
        <label className="check">
          <input
            type="radio"
            name="kind"
            checked={kind === 'immediate'}
            onChange={() => setKind('immediate')}
          />
          As soon as possible
        </label>
        <label className="check">
          <input
            type="radio"
            name="kind"
            checked={kind === 'scheduled'}
            onChange={() => setKind('scheduled')}
          />
          Scheduled
        </label>
      </fieldset>
      {kind === 'immediate' && settings && <ClosedQueueNote key={settings.name} queue={settings} />}
      {kind === 'scheduled' && (
        <SlotPicker queue={queue} value={slot} onChange={setSlot} idPrefix="create" />
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={busy || (kind === 'scheduled' && slot === '')}
        >
          Create callback
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
