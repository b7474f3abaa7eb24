/** One periodic job: a plain function of "now", run every `everyMs`. */
export interface Job {
  name: string;
  everyMs: number;
  /** Wait this long before the first run (default: run at the first tick). */
  firstDelayMs?: number;
  run(nowMs: number): Promise<unknown>;
}

export interface SchedulerLog {
  error(obj: object, msg: string): void;
}

/**
 * Runs each job on its own period in one loop per node. A job never overlaps itself, a slow job
 * does not hold up the others, and one job's failure is logged without stopping the others.
 */
export function startScheduler(
  jobs: readonly Job[],
  tickMs: number,
  log: SchedulerLog,
  now: () => number = Date.now,
): { stop(): Promise<void> } {
  const start = now();
  const nextRun = new Map(jobs.map((j) => [j.name, start + (j.firstDelayMs ?? 0)]));
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const runJob = async (job: Job, t: number) => {
    try {
      await job.run(t);
    } catch (err) {
      log.error({ err, job: job.name }, 'job failed');
    }
  };
  const tick = () => {
    for (const job of jobs) {
      if (stopped) return;
      const t = now();
      if (running.has(job.name) || t < (nextRun.get(job.name) ?? 0)) continue;
      nextRun.set(job.name, t + job.everyMs);
      running.set(
        job.name,
        runJob(job, t).finally(() => running.delete(job.name)),
      );
    }
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
