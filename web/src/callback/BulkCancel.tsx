import { useEffect, useRef } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { formatCount, JobProgress, useJob, type Job } from '../components/JobProgress.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';

const callbacks = (n: number) => `${formatCount(n)} callback${n === 1 ? '' : 's'}`;

/**
 * Cancels the selected callbacks as a server job: the bar asks first, then shows the job's
 * progress and outcome (also after a reload). `onStarted` clears the selection; `onFinished`
 * refreshes the list once the job has ended.
 */
export function BulkCancel({
  ids,
  onStarted,
  onFinished,
}: {
  ids: readonly string[];
  onStarted: () => void;
  onFinished: () => void;
}) {
  const action = useAction();
  const job = useJob('bulk-cancel');
  const state = job.job?.state;
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;
  useEffect(() => {
    if (state === 'succeeded' || state === 'failed') finishedRef.current();
  }, [state]);

  const cancel = async () => {
    const started = await action.run(() =>
      api<Job>('/callbacks/bulk-cancel', { body: { ids: [...ids] } }),
    );
    if (started) {
      job.follow(started);
      onStarted();
    }
  };
  return (
    <>
      {ids.length > 0 && (
        <div className="bulkbar">
          <span>{ids.length} selected</span>
          <Confirm
            label="Cancel selected"
            question={`Cancel ${formatCount(ids.length)} waiting callback${ids.length === 1 ? '' : 's'}? ${ids.length === 1 ? 'Its customer' : 'Their customers'} will not be called.`}
            confirmLabel="Yes, cancel them"
            danger
            disabled={action.busy || job.running}
            onConfirm={() => void cancel()}
          />
        </div>
      )}
      <JobProgress
        job={job.job}
        error={job.error}
        onDismiss={job.dismiss}
        describe={{
          running: () => 'Cancelling callbacks',
          done: (j) => `${callbacks(j.done)} cancelled.`,
        }}
      />
      {action.error && <Notice kind="error">{action.error}</Notice>}
    </>
  );
}
