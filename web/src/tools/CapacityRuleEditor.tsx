import { TimeInput } from '../components/TimeInput.js';
import type { CapacityRule } from '../types.js';
import { WEEKDAY_KEYS, WEEKDAY_NAMES } from './HoursEditor.js';

interface Props {
  value: CapacityRule[];
  onChange: (v: CapacityRule[]) => void;
  defaultCapacity: number;
}

/** Capacity overrides by weekday and time of day; the first matching rule wins. */
export function CapacityRuleEditor({ value, onChange, defaultCapacity }: Props) {
  const set = (i: number, patch: Partial<CapacityRule>) =>
    onChange(value.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset>
      <legend>Capacity rules</legend>
      <p className="muted small">
        Slots no rule matches take the slot capacity ({defaultCapacity}). The first matching rule
        wins.
      </p>
      {value.map((r, i) => (
        <div className="rule" key={i}>
          <div className="days-pick" role="group" aria-label={`Rule ${i + 1} days`}>
            {WEEKDAY_KEYS.map((d) => (
              <label key={d} className="check">
                <input
                  type="checkbox"
                  checked={r.days.includes(d)}
                  onChange={() =>
                    set(i, {
                      days: r.days.includes(d) ? r.days.filter((x) => x !== d) : [...r.days, d],
                    })
                  }
                />
                {WEEKDAY_NAMES[d].slice(0, 3)}
              </label>
            ))}
          </div>
          <label>
            From
            <TimeInput value={r.from} onChange={(v) => set(i, { from: v })} required />
          </label>
          <label>
            To
            <TimeInput value={r.to} onChange={(v) => set(i, { to: v })} required />
          </label>
          <label>
            Capacity
            <input
              type="number"
              min={0}
              value={r.capacity}
              onChange={(e) => set(i, { capacity: Number(e.target.value) })}
            />
          </label>
          <button
            type="button"
            className="icon"
            aria-label={`Remove rule ${i + 1}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small-btn"
        onClick={() =>
          onChange([
            ...value,
            { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00', capacity: 0 },
          ])
        }
      >
        + capacity rule
      </button>
    </fieldset>
  );
}
