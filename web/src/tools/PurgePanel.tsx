import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { formatCount, JobProgress, useJob, type Job } from '../components/JobProgress.js';
import { Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';

const plural = (n: number) => `${formatCount(n)} waiting callback${n === 1 ? '' : 's'}`;

/**
 * Purges a queue now: every waiting callback completes PURGED, after a confirmation that says
 * how many. The purge runs on the server as a job; this shows its progress and outcome, also
 * after the page was closed and opened again.
 */
export function PurgePanel({ queue }: { queue: string }) {
  const action = useAction();
  const job = useJob(`purge:${queue}`);
  const preview = useLoad(
    () => api<{ waiting: number }>(`/queues/${encodeURIComponent(queue)}/purge`),
    `purge-preview:${queue}:${job.job?.state ?? ''}`,
  );
  const waiting = preview.data?.waiting;
  const purge = async () => {
    const started = await action.run(() =>
      api<Job>(`/queues/${encodeURIComponent(queue)}/purge`, { body: {} }),
    );
    if (started) job.follow(started);
  };
  return (
    <div className="purge jobs-panel">
      <Confirm
        label={`Purge ${queue} now`}
        question={
          waiting === undefined
            ? `Purge every waiting callback of ${queue}? This cannot be undone.`
            : `Purge ${plural(waiting)} of ${queue}? They complete as PURGED and will not be called. This cannot be undone.`
        }
        confirmLabel="Yes, purge"
        danger
        disabled={action.busy || job.running || waiting === 0}
        onConfirm={() => void purge()}
      />
      {waiting === 0 && !job.running && <span className="muted">Nothing waits in {queue}.</span>}
      <JobProgress
        job={job.job}
        error={job.error}
        onDismiss={job.dismiss}
        describe={{
          running: (j) => `Purging ${j.serviceName ?? queue}`,
          done: (j) => `${plural(j.done)} purged from ${j.serviceName ?? queue}.`,
        }}
      />
      {action.error && <Notice kind="error">{action.error}</Notice>}
    </div>
  );
}
