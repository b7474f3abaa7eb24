import type { BusinessHours, Weekday } from '../types.js';
import { IntervalList } from './IntervalList.js';

export const WEEKDAY_KEYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

interface Props {
  title: string;
  value: BusinessHours;
  onChange: (v: BusinessHours) => void;
  timezone: string;
}

/** A weekly plan with several intervals per weekday, plus special days that replace it. */
export function HoursEditor({ title, value, onChange, timezone }: Props) {
  const special = value.special;
  return (
    <fieldset className="hours">
      <legend>
        {title} <span className="muted small">({timezone})</span>
      </legend>
      <div className="week">
        {WEEKDAY_KEYS.map((d) => (
          <div className="day-row" key={d}>
            <span className="day-name">{WEEKDAY_NAMES[d]}</span>
            <IntervalList
              label={WEEKDAY_NAMES[d]}
              value={value.weekly[d] ?? []}
              onChange={(list) => onChange({ ...value, weekly: { ...value.weekly, [d]: list } })}
            />
          </div>
        ))}
      </div>
      <h3 className="h4">Special days</h3>
      {special.length === 0 && (
        <p className="muted small">None: every date follows the weekly plan.</p>
      )}
      {special.map((s, i) => (
        <div className="day-row" key={i}>
          <span className="special-date">
            <input
              type="date"
              aria-label={`Special day ${i + 1} date`}
              value={s.date}
              required
              onChange={(e) =>
                onChange({
                  ...value,
                  special: special.map((x, j) => (j === i ? { ...x, date: e.target.value } : x)),
                })
              }
            />
            <button
              type="button"
              className="icon"
              aria-label={`Remove special day ${i + 1}`}
              onClick={() => onChange({ ...value, special: special.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          </span>
          <IntervalList
            label={s.date === '' ? `special day ${i + 1}` : s.date}
            value={s.hours}
            onChange={(hours) =>
              onChange({
                ...value,
                special: special.map((x, j) => (j === i ? { ...x, hours } : x)),
              })
            }
          />
        </div>
      ))}
      <button
        type="button"
        className="small-btn"
        onClick={() => onChange({ ...value, special: [...special, { date: '', hours: [] }] })}
      >
        + special day
      </button>
    </fieldset>
  );
}
