import { useState } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';

/** Purges a queue now: every waiting callback completes PURGED, after a confirmation. */
export function PurgePanel({ queue }: { queue: string }) {
  const action = useAction();
  const [done, setDone] = useState<string | undefined>();
  const purge = async () => {
    setDone(undefined);
    const r = await action.run(() =>
      api<{ purged: number }>(`/queues/${encodeURIComponent(queue)}/purge`, { body: {} }),
    );
    if (r)
      setDone(`${r.purged} waiting callback${r.purged === 1 ? '' : 's'} purged from ${queue}.`);
  };
  return (
    <div className="purge">
      <Confirm
        label={`Purge ${queue} now`}
        question={`Purge every waiting callback of ${queue}? This cannot be undone.`}
        confirmLabel="Yes, purge"
        danger
        disabled={action.busy}
        onConfirm={() => void purge()}
      />
      {done && <Notice kind="ok">{done}</Notice>}
      {action.error && <Notice kind="error">{action.error}</Notice>}
    </div>
  );
}
