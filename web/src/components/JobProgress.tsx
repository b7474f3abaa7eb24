import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api.js';
import { ErrorNotice, Notice } from './Notice.js';

/** A purge or bulk cancel running on the server, as GET /jobs/{id} reports it. */
export interface Job {
  id: string;
  kind: 'purge' | 'bulk-cancel';
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  done: number;
  total: number | null;
  serviceName?: string;
  error?: string;
  createdAt: string;
  finishedAt?: string;
}

const POLL_MS = 500;
const STORAGE_PREFIX = 'oc.job.';
const finished = (job: Job | undefined) =>
  job !== undefined && (job.state === 'succeeded' || job.state === 'failed');

function stored(slot: string): string | undefined {
  try {
    return window.localStorage.getItem(STORAGE_PREFIX + slot) ?? undefined;
  } catch {
    return undefined;
  }
}

function store(slot: string, id: string | undefined): void {
  try {
    if (id === undefined) window.localStorage.removeItem(STORAGE_PREFIX + slot);
    else window.localStorage.setItem(STORAGE_PREFIX + slot, id);
  } catch {
    // Private mode without storage: the job is followed only while the page stays open.
  }
}

/**
 * Follows the job kept under `slot` until it ends. The job id is kept in the browser, so a page
 * closed or reloaded mid-job picks it up again and shows its progress or outcome.
 */
export function useJob(slot: string) {
  const [id, setId] = useState<string | undefined>(() => stored(slot));
  const [job, setJob] = useState<Job | undefined>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    setId(stored(slot));
    setJob(undefined);
  }, [slot]);

  useEffect(() => {
    if (id === undefined) return;
    let live = true;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const next = await api<Job>(`/jobs/${encodeURIComponent(id)}`);
        if (!live) return;
        setJob(next);
        setError(undefined);
        if (!finished(next)) timer = window.setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (!live) return;
        // A job of another tenant or one pruned long ago: forget it quietly.
        if (e instanceof ApiError && e.http === 404) {
          store(slot, undefined);
          setId(undefined);
          return;
        }
        setError(e);
        timer = window.setTimeout(() => void poll(), POLL_MS * 4);
      }
    };
    void poll();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [id, slot]);

  const follow = useCallback(
    (started: Job) => {
      store(slot, started.id);
      setJob(started);
      setId(started.id);
    },
    [slot],
  );
  const dismiss = useCallback(() => {
    store(slot, undefined);
    setId(undefined);
    setJob(undefined);
  }, [slot]);
  const running = id !== undefined && !finished(job);
  return { job, error, running, follow, dismiss };
}

const number = new Intl.NumberFormat('en-US');

/** A job's progress bar while it runs, then its outcome, in the words of `describe`. */
export function JobProgress({
  job,
  error,
  describe,
  onDismiss,
}: {
  job: Job | undefined;
  error: unknown;
  describe: { running: (job: Job) => string; done: (job: Job) => string };
  onDismiss: () => void;
}) {
  if (job === undefined) return error === undefined ? null : <ErrorNotice error={error} />;
  if (job.state === 'succeeded' || job.state === 'failed') {
    return (
      <div className="jobs-outcome" data-testid="job-outcome">
        {job.state === 'succeeded' ? (
          <Notice kind="ok">{describe.done(job)}</Notice>
        ) : (
          <Notice kind="error">
            The job stopped after {number.format(job.done)} callbacks:{' '}
            {job.error ?? 'unknown error'}
          </Notice>
        )}
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    );
  }
  const total = job.total;
  const percent = total === null || total === 0 ? undefined : Math.floor((job.done / total) * 100);
  const label = describe.running(job);
  return (
    <div className="jobs-progress" data-testid="job-progress">
      <label>
        {label}
        <progress
          max={total ?? undefined}
          value={total === null ? undefined : job.done}
          aria-valuetext={
            total === null ? 'counting' : `${number.format(job.done)} of ${number.format(total)}`
          }
        />
      </label>
      <span className="muted" role="status">
        {total === null
          ? 'Counting…'
          : `${number.format(job.done)} of ${number.format(total)} (${percent ?? 0}%)`}
        {' · '}it goes on if you close this page
      </span>
      <ErrorNotice error={error} />
    </div>
  );
}

/** "1,234" */
export const formatCount = (n: number) => number.format(n);
