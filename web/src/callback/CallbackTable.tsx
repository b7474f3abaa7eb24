import { formatPhone } from '../phone.js';
import { formatInZone, relativeTime } from '../time.js';
import type { CallbackSummary } from '../types.js';
import { useZone } from '../zone.js';

export type SortKey = 'phone' | 'queue' | 'state' | 'desired' | 'attempts' | 'created';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'phone', label: 'Phone' },
  { key: 'queue', label: 'Queue' },
  { key: 'state', label: 'State' },
  { key: 'desired', label: 'Desired time' },
  { key: 'attempts', label: 'Attempts' },
  { key: 'created', label: 'Created' },
];

/** The sort a URL names ("desired" or "-desired"), if any: the API takes the same words. */
export function parseSort(text: string | null): Sort | undefined {
  if (text === null) return undefined;
  const descending = text.startsWith('-');
  const key = (descending ? text.slice(1) : text) as SortKey;
  return COLUMNS.some((c) => c.key === key) ? { key, descending } : undefined;
}

interface Props {
  items: CallbackSummary[];
  /** The server's now, for "in 2 h". */
  now: number;
  sort: Sort | undefined;
  onSort: (sort: string | undefined) => void;
  selectable: boolean;
  selected: Set<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[]) => void;
  onOpen: (id: string) => void;
  openId: string | undefined;
  /** What to try when nothing matches. */
  emptyHint: string;
}

const WAITING = new Set(['SCHEDULED', 'QUEUED', 'ROUTING']);

/**
 * One page of callbacks; a row opens its detail, waiting ones can be ticked for bulk cancel.
 * Column headers sort the whole search (the server sorts; `items` come in that order); under
 * 600 px each row becomes a card.
 */
export function CallbackTable({
  items,
  now,
  sort,
  onSort,
  selectable,
  selected,
  onToggle,
  onToggleAll,
  onOpen,
  openId,
  emptyHint,
}: Props) {
  const zone = useZone();
  const waiting = items.filter((c) => WAITING.has(c.state)).map((c) => c.id);
  if (items.length === 0)
    return (
      <div className="empty">
        <p>No callbacks match.</p>
        <p className="muted">{emptyHint}</p>
      </div>
    );
  const next = (key: SortKey) =>
    sort?.key !== key ? key : sort.descending ? undefined : `-${key}`;
  return (
    <div className="table-wrap">
      <table className="grid responsive" aria-label="Callbacks">
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
            {COLUMNS.map((col) => (
              <th
                key={col.key}
                scope="col"
                className={col.key === 'attempts' ? 'num' : undefined}
                aria-sort={
                  sort?.key === col.key ? (sort.descending ? 'descending' : 'ascending') : undefined
                }
              >
                <button type="button" className="sort" onClick={() => onSort(next(col.key))}>
                  {col.label}
                  <span aria-hidden="true" className="sort-mark">
                    {sort?.key === col.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} className={c.id === openId ? 'open' : ''}>
              {selectable && (
                <td className="select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${c.phoneNumber}`}
                    disabled={!WAITING.has(c.state)}
                    checked={selected.has(c.id)}
                    onChange={() => onToggle(c.id)}
                  />
                </td>
              )}
              <td data-label="Phone">
                <button
                  type="button"
                  className="link mono"
                  onClick={() => onOpen(c.id)}
                  aria-label={`Open callback for ${formatPhone(c.phoneNumber)}`}
                >
                  {formatPhone(c.phoneNumber)}
                </button>
              </td>
              <td data-label="Queue">{c.serviceName}</td>
              <td data-label="State">
                <span className={`badge ${c.state.toLowerCase()}`}>{c.state}</span>
                {c.reason && <span className="muted small"> {c.reason}</span>}
              </td>
              <td data-label="Desired time" data-testid="row-desired">
                {c.immediate ? (
                  'As soon as possible'
                ) : (
                  <>
                    {formatInZone(c.desiredTime, zone)}
                    {WAITING.has(c.state) && (
                      <span className="muted small"> · {relativeTime(c.desiredTime, now)}</span>
                    )}
                  </>
                )}
              </td>
              <td data-label="Attempts" className="num">
                {c.attempts}
              </td>
              <td data-label="Created">{formatInZone(c.createdAt, zone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
