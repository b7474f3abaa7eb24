import { useState, type ReactNode } from 'react';
import { unsavedWork } from '../unsaved.js';

/** Asks before an action that would drop unsaved edits; focus starts on keeping them. */
export function useDiscardGuard(): { guard: (action: () => void) => void; prompt: ReactNode } {
  const [pending, setPending] = useState<{ what: string; action: () => void } | undefined>();
  const guard = (action: () => void) => {
    const what = unsavedWork();
    if (what === undefined) action();
    else setPending({ what, action });
  };
  const prompt = pending && (
    <div className="confirm discard" role="alertdialog" aria-label="Unsaved changes">
      <span>You have unsaved changes to {pending.what}. Leaving now drops them.</span>
      <button type="button" autoFocus onClick={() => setPending(undefined)}>
        Keep editing
      </button>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setPending(undefined);
          pending.action();
        }}
      >
        Discard changes
      </button>
    </div>
  );
  return { guard, prompt };
}
