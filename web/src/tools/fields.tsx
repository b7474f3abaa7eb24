import { useId } from 'react';

/** A labelled whole-number input; an empty box gives undefined (for optional settings). */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  hint,
}: {
  label: string;
  value: number | undefined;
  onChange: (v: number | undefined) => void;
  min?: number;
  max?: number;
  hint?: string;
}) {
  return (
    <label>
      {label}
      {hint && <span className="muted small"> ({hint})</span>}
      <input
        type="number"
        value={value ?? ''}
        min={min}
        max={max}
        step={1}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    </label>
  );
}

/** A labelled checkbox. */
export function CheckField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

/** A labelled text input; an empty box gives undefined. */
export function TextField({
  label,
  value,
  onChange,
  list,
  placeholder,
}: {
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  list?: string[];
  placeholder?: string;
}) {
  const listId = useId();
  return (
    <label>
      {label}
      <input
        value={value ?? ''}
        placeholder={placeholder}
        list={list ? listId : undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
      {list && (
        <datalist id={listId}>
          {list.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      )}
    </label>
  );
}
