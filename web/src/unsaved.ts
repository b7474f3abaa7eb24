import { useEffect } from 'react';

// Forms with unsaved edits register here, so leaving them (another tab, another queue, closing
// the page) asks first instead of silently dropping the edits.

const pending = new Map<symbol, string>();

/** Marks `what` as having unsaved edits while `dirty` is true. */
export function useUnsaved(dirty: boolean, what: string): void {
  useEffect(() => {
    if (!dirty) return;
    const id = Symbol(what);
    pending.set(id, what);
    const onUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onUnload);
    return () => {
      pending.delete(id);
      window.removeEventListener('beforeunload', onUnload);
    };
  }, [dirty, what]);
}

/** What has unsaved edits now ("settings of support"), or undefined. */
export function unsavedWork(): string | undefined {
  const first = pending.values().next();
  return first.done === true ? undefined : first.value;
}
