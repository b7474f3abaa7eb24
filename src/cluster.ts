import cluster, { type Worker } from 'node:cluster';

/** A worker that dies sooner than this after its start is restarted after a growing pause. */
const STABLE_AFTER_MS = 60_000;
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The primary of `WORKERS=N` (N > 1): forks N workers that share the port (node:cluster hands
 * connections to them in turn), restarts a worker that dies with a backoff, and on SIGTERM or
 * SIGINT stops every worker gracefully and exits once all have. Each worker is a whole node, as
 * nodes on one PostgreSQL database are: its own pool, caches and (RUN_JOBS) scheduler.
 */
export function runPrimary(workers: number, log: (line: string) => void): void {
  let stopping = false;
  let delay = FIRST_RESTART_DELAY_MS;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    // A worker that keeps dying at start (a database down) must not be forked in a tight loop.
    delay = lived >= STABLE_AFTER_MS ? FIRST_RESTART_DELAY_MS : delay;
    log(
      `OpenCallback worker ${worker.process.pid ?? '?'} exited (${signal ?? `code ${code ?? '?'}`}); restarting in ${delay} ms`,
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
    delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (startedAt.size === 0) process.exit(0);
    // Each worker drains as a single node does on SIGTERM (server.ts) and exits.
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  // The first worker starts alone: it applies the tenant configuration and, on an empty store,
  // provisions the demo tenant, which the others then find done.
  fork();
  cluster.once('listening', () => {
    for (let i = 1; i < workers; i++) fork();
  });
}
