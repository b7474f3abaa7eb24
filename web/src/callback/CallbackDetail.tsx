import { useEffect, useRef, useState } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { Loading } from '../components/Loading.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import { formatPhone } from '../phone.js';
import { formatInZone } from '../time.js';
import type { CallbackDetail as Detail } from '../types.js';
import { useZone } from '../zone.js';
import { SlotPicker } from './SlotPicker.js';
import { REASON_WORDS, eventWords } from './words.js';

interface Props {
  id: string;
  canWrite: boolean;
  onChanged: () => void;
  onClose: () => void;
}

const RESCHEDULABLE = new Set(['SCHEDULED', 'QUEUED']);
const CANCELLABLE = new Set(['SCHEDULED', 'QUEUED', 'ROUTING']);

/** One callback: its fields, its history, and (for writers) reschedule and cancel. */
export function CallbackDetail({ id, canWrite, onChanged, onClose }: Props) {
  const zone = useZone();
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
    if (ok) after(`Rescheduled to ${formatInZone(slot, zone)}.`);
  };

  // Opening a callback brings its detail into view and moves focus there (on a phone the detail
  // sits below the list).
  const head = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    head.current?.scrollIntoView({ block: 'nearest' });
    head.current?.focus({ preventScroll: true });
  }, []);

  const c = detail.data;
  let attempts = 0;
  const history =
    c?.history.map((h) => {
      const text = eventWords(h.type, h.snapshot, attempts);
      if (typeof h.snapshot?.attempts === 'number') attempts = h.snapshot.attempts;
      return { ...h, text };
    }) ?? [];
  return (
    <aside className="card detail" aria-labelledby="detail-title">
      <div className="detail-head">
        <h3 id="detail-title" ref={head} tabIndex={-1}>
          Callback detail
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNotice error={detail.error} />
      {!c && detail.loading && <Loading what="the callback" lines={6} />}
      {c && (
        <>
          <dl className="facts">
            <dt>Phone</dt>
            <dd className="mono">{formatPhone(c.phoneNumber)}</dd>
            <dt>Queue</dt>
            <dd>{c.serviceName}</dd>
            <dt>State</dt>
            <dd>
              <span className={`badge ${c.state.toLowerCase()}`} data-testid="detail-state">
                {c.state}
              </span>
              {c.reason && <span className="muted"> {REASON_WORDS[c.reason] ?? c.reason}</span>}
            </dd>
            <dt>Desired time</dt>
            <dd data-testid="detail-desired">
              {c.immediate ? 'As soon as possible · ' : ''}
              {formatInZone(c.desiredTime, zone)}
            </dd>
            <dt>Created</dt>
            <dd>{formatInZone(c.createdAt, zone)}</dd>
            <dt>Attempts</dt>
            <dd>{c.attempts}</dd>
            <dt>Priority</dt>
            <dd>{c.priority}</dd>
            <dt>ID</dt>
            <dd className="mono wrap">{c.id}</dd>
          </dl>
          {c.userData && Object.keys(c.userData).length > 0 && (
            <>
              <h4>Data from the booking page</h4>
              <dl className="facts userdata">
                {Object.entries(c.userData).map(([k, v]) => (
                  <div key={k} className="pair">
                    <dt className="mono">{k}</dt>
                    <dd className="wrap">{v}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
          <h4>History</h4>
          <ol className="history">
            {history.map((h, i) => (
              <li key={i} title={h.type}>
                {h.text} · {formatInZone(h.at, zone)}
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
                  question={`Cancel this callback? ${formatPhone(c.phoneNumber)} will not be called.`}
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
                near={c.immediate ? undefined : c.desiredTime}
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
