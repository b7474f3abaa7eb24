import { useRef, useState, type ReactNode } from 'react';

interface Props {
  /** The button that asks first. */
  label: string;
  /** The question, stating the effect ("Cancel 14 waiting callbacks? …"). */
  question: ReactNode;
  confirmLabel: string;
  /** The safe choice's label. */
  cancelLabel?: string;
  onConfirm: () => void;
  disabled?: boolean;
  danger?: boolean;
}

/**
 * A button that asks inline before doing something that cannot be undone. Focus lands on the
 * safe choice, so a stray Enter keeps things as they are; Escape backs out too.
 */
export function Confirm({
  label,
  question,
  confirmLabel,
  cancelLabel = 'No, keep it',
  onConfirm,
  disabled,
  danger,
}: Props) {
  const [asking, setAsking] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const back = () => {
    setAsking(false);
    // The trigger renders again on the next frame; give focus back to it then.
    requestAnimationFrame(() => trigger.current?.focus());
  };
  if (!asking) {
    return (
      <button
        ref={trigger}
        type="button"
        className={danger ? 'danger' : ''}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="alertdialog"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key === 'Escape') back();
      }}
    >
      <span>{question}</span>
      <button type="button" autoFocus onClick={back} data-safe="true">
        {cancelLabel}
      </button>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
    </span>
  );
}
