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
 * Runs each job on its own period in one loop per node. A job never overlaps itself, and one
 * job's failure is logged without stopping the others.
 */
export function startScheduler(
  jobs: readonly Job[],
  tickMs: number,
  log: SchedulerLog,
  now: () => number = Date.now,
): { stop(): Promise<void> } {
  const start = now();
  const nextRun = new Map(jobs.map((j) => [j.name, start + (j.firstDelayMs ?? 0)]));
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = async () => {
    for (const job of jobs) {
      if (stopped) return;
      const t = now();
      if (t < (nextRun.get(job.name) ?? 0)) continue;
      nextRun.set(job.name, t + job.everyMs);
      try {
        await job.run(t);
      } catch (err) {
        log.error({ err, job: job.name }, 'job failed');
      }
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick().finally(() => {
      running = undefined;
    });
  }, tickMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
