// 24-hour inputs whatever the browser's locale: the native time inputs follow the locale and show
// AM/PM in en-US, while every time the console shows is on a 24-hour clock.

const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]';

/** "HH:MM" on a 24-hour clock, typed. */
export function TimeInput({
  value,
  onChange,
  label,
  required,
  id,
}: {
  value: string;
  onChange: (v: string) => void;
  /** The accessible name (the visible label may sit elsewhere). */
  label?: string;
  required?: boolean;
  id?: string;
}) {
  return (
    <input
      id={id}
      className="time24"
      type="text"
      inputMode="numeric"
      pattern={TIME}
      placeholder="HH:MM"
      title="24-hour time, HH:MM"
      maxLength={5}
      size={5}
      aria-label={label}
      required={required}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** A date and a 24-hour time, as one "YYYY-MM-DDTHH:MM" value. */
export function DateTimeInput({
  label,
  value,
  onChange,
  required,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
}) {
  const [date = '', time = ''] = value.split('T');
  const join = (d: string, t: string) => onChange(d === '' && t === '' ? '' : `${d}T${t}`);
  return (
    <fieldset className="datetime">
      <legend>{label}</legend>
      <input
        type="date"
        aria-label={`${label} date`}
        value={date}
        required={required}
        onChange={(e) => join(e.target.value, time)}
      />
      <TimeInput
        label={`${label} time`}
        value={time}
        required={required}
        onChange={(t) => join(date, t)}
      />
    </fieldset>
  );
}
