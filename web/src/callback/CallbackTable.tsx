import { formatInZone } from '../time.js';
import type { CallbackSummary } from '../types.js';

interface Props {
  items: CallbackSummary[];
  timezone: string;
  selectable: boolean;
  selected: Set<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[]) => void;
  onOpen: (id: string) => void;
  openId: string | undefined;
}

const WAITING = new Set(['SCHEDULED', 'QUEUED', 'ROUTING']);

/** One page of callbacks; a row opens its detail, waiting ones can be ticked for bulk cancel. */
export function CallbackTable({
  items,
  timezone,
  selectable,
  selected,
  onToggle,
  onToggleAll,
  onOpen,
  openId,
}: Props) {
  const waiting = items.filter((c) => WAITING.has(c.state)).map((c) => c.id);
  if (items.length === 0) return <p className="empty">No callbacks match.</p>;
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Callbacks">
        <thead>
          <tr>
            {selectable && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every waiting callback on this page"
                  checked={waiting.length > 0 && waiting.every((id) => selected.has(id))}
                  onChange={() => onToggleAll(waiting)}
                />
              </th>
            )}
            <th scope="col">Phone</th>
            <th scope="col">Queue</th>
            <th scope="col">State</th>
            <th scope="col">Desired time</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} className={c.id === openId ? 'open' : ''}>
              {selectable && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${c.phoneNumber}`}
                    disabled={!WAITING.has(c.state)}
                    checked={selected.has(c.id)}
                    onChange={() => onToggle(c.id)}
                  />
                </td>
              )}
              <td>
                <button type="button" className="link mono" onClick={() => onOpen(c.id)}>
                  {c.phoneNumber}
                </button>
              </td>
              <td>{c.serviceName}</td>
              <td>
                <span className={`badge ${c.state.toLowerCase()}`}>{c.state}</span>
                {c.reason && <span className="muted small"> {c.reason}</span>}
              </td>
              <td>{c.immediate ? 'ASAP' : formatInZone(c.desiredTime, timezone)}</td>
              <td>{formatInZone(c.createdAt, timezone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
