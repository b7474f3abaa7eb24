import { useId } from 'react';

/** A field's problem in plain words, tied to its input for screen readers. */
function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <span className="field-error" id={id}>
      {error}
    </span>
  );
}

/** A labelled whole-number input; an empty box gives undefined (for optional settings). */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  hint,
  error,
}: {
  label: string;
  value: number | undefined;
  onChange: (v: number | undefined) => void;
  min?: number;
  max?: number;
  hint?: string;
  error?: string | undefined;
}) {
  const errorId = useId();
  return (
    <label className={error ? 'invalid' : undefined}>
      {label}
      {hint && <span className="muted small"> ({hint})</span>}
      <input
        type="number"
        value={value ?? ''}
        min={min}
        max={max}
        step={1}
        aria-invalid={error !== undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
      <FieldError id={errorId} error={error} />
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
  error,
}: {
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  list?: string[];
  placeholder?: string;
  error?: string | undefined;
}) {
  const listId = useId();
  const errorId = useId();
  return (
    <label className={error ? 'invalid' : undefined}>
      {label}
      <input
        value={value ?? ''}
        placeholder={placeholder}
        list={list ? listId : undefined}
        aria-invalid={error !== undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
      <FieldError id={errorId} error={error} />
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
