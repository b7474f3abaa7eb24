import { TimeInput } from '../components/TimeInput.js';
import type { TimeInterval } from '../types.js';

interface Props {
  /** What the intervals belong to, for labels ("Monday", "2026-12-24"). */
  label: string;
  value: TimeInterval[];
  onChange: (v: TimeInterval[]) => void;
}

/** Several opening intervals of one day; an empty list means closed. */
export function IntervalList({ label, value, onChange }: Props) {
  const set = (i: number, part: 0 | 1, time: string) =>
    onChange(value.map((iv, j) => (j === i ? (part === 0 ? [time, iv[1]] : [iv[0], time]) : iv)));
  return (
    <div className="intervals">
      {value.length === 0 && <span className="muted">Closed</span>}
      {value.map((iv, i) => (
        <span className="interval" key={i}>
          <TimeInput
            label={`${label} interval ${i + 1} opens`}
            value={iv[0]}
            onChange={(v) => set(i, 0, v)}
            required
          />
          <span aria-hidden="true">–</span>
          <TimeInput
            label={`${label} interval ${i + 1} closes`}
            value={iv[1]}
            onChange={(v) => set(i, 1, v)}
            required
          />
          <button
            type="button"
            className="icon"
            aria-label={`Remove ${label} interval ${i + 1}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </span>
      ))}
      <button
        type="button"
        className="small-btn"
        aria-label={`Add an interval to ${label}`}
        onClick={() =>
          onChange([...value, value.length === 0 ? ['09:00', '17:00'] : ['13:00', '17:00']])
        }
      >
        + interval
      </button>
    </div>
  );
}
