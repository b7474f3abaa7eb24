import { useState } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import { formatInZone } from '../time.js';
import type { CallbackDetail as Detail } from '../types.js';
import { SlotPicker } from './SlotPicker.js';

interface Props {
  id: string;
  timezone: string;
  canWrite: boolean;
  onChanged: () => void;
  onClose: () => void;
}

const RESCHEDULABLE = new Set(['SCHEDULED', 'QUEUED']);
const CANCELLABLE = new Set(['SCHEDULED', 'QUEUED', 'ROUTING']);

/** One callback: its fields, its history, and (for writers) reschedule and cancel. */
export function CallbackDetail({ id, timezone, canWrite, onChanged, onClose }: Props) {
  const [version, setVersion] = useState(0);
  const detail = useLoad(
    () => api<Detail>(`/callbacks/${encodeURIComponent(id)}`),
    `${id}:${version}`,
  );
  const [rescheduling, setRescheduling] = useState(false);
  const [slot, setSlot] = useState('');
  const action = useAction();
  const [done, setDone] = useState<string | undefined>();

  const after = (message: string) => {
    setDone(message);
    setRescheduling(false);
    setVersion((v) => v + 1);
    onChanged();
  };
  const cancel = async () => {
    const ok = await action.run(() =>
      api(`/callbacks/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: {} }),
    );
    if (ok) after('Callback cancelled.');
  };
  const reschedule = async () => {
    const ok = await action.run(() =>
      api(`/callbacks/${encodeURIComponent(id)}/reschedule`, {
        body: { desiredTime: slot, alwaysCheckCapacity: true },
      }),
    );
    if (ok) after(`Rescheduled to ${formatInZone(slot, timezone)}.`);
  };

  const c = detail.data;
  return (
    <aside className="card detail" aria-label="Callback detail">
      <div className="detail-head">
        <h3>Callback</h3>
        <button type="button" onClick={onClose} aria-label="Close detail">
          Close
        </button>
      </div>
      <ErrorNotice error={detail.error} />
      {c && (
        <>
          <dl className="facts">
            <dt>ID</dt>
            <dd className="mono">{c.id}</dd>
            <dt>Queue</dt>
            <dd>{c.serviceName}</dd>
            <dt>Phone</dt>
            <dd className="mono">{c.phoneNumber}</dd>
            <dt>State</dt>
            <dd>
              <span className={`badge ${c.state.toLowerCase()}`} data-testid="detail-state">
                {c.state}
              </span>
              {c.reason && <span className="muted"> {c.reason}</span>}
            </dd>
            <dt>Desired time</dt>
            <dd data-testid="detail-desired">
              {c.immediate ? 'As soon as possible · ' : ''}
              {formatInZone(c.desiredTime, timezone)}
            </dd>
            <dt>Created</dt>
            <dd>{formatInZone(c.createdAt, timezone)}</dd>
            <dt>Attempts</dt>
            <dd>{c.attempts}</dd>
            <dt>Priority</dt>
            <dd>{c.priority}</dd>
            {c.userData && Object.keys(c.userData).length > 0 && (
              <>
                <dt>User data</dt>
                <dd className="mono">{JSON.stringify(c.userData)}</dd>
              </>
            )}
          </dl>
          <h4>History</h4>
          <ol className="history">
            {c.history.map((h, i) => (
              <li key={i}>
                <span className="mono">{h.type}</span> · {formatInZone(h.at, timezone)}
              </li>
            ))}
          </ol>
          {done && <Notice kind="ok">{done}</Notice>}
          {action.error && <Notice kind="error">{action.error}</Notice>}
          {canWrite && (
            <div className="actions">
              {RESCHEDULABLE.has(c.state) && !rescheduling && (
                <button type="button" onClick={() => setRescheduling(true)}>
                  Reschedule
                </button>
              )}
              {CANCELLABLE.has(c.state) && (
                <Confirm
                  label="Cancel callback"
                  question="Cancel this callback?"
                  confirmLabel="Yes, cancel it"
                  danger
                  disabled={action.busy}
                  onConfirm={() => void cancel()}
                />
              )}
            </div>
          )}
          {rescheduling && (
            <div className="reschedule">
              <SlotPicker
                queue={c.serviceName}
                value={slot}
                onChange={setSlot}
                idPrefix="reschedule"
              />
              <div className="actions">
                <button
                  type="button"
                  className="primary"
                  disabled={slot === '' || action.busy}
                  onClick={() => void reschedule()}
                >
                  Move to this slot
                </button>
                <button type="button" onClick={() => setRescheduling(false)}>
                  Back
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </aside>
  );
}
