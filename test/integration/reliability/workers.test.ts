import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { PG_URL, freshDatabase } from '../../helpers/engines.js';
import { request, startService } from '../../helpers/service.js';

/** The PIDs of a process's node children: its cluster workers (tsx also runs an esbuild). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,comm='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, command]) => command === 'node')
      .map(([child]) => Number(child));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Several processes per node share one database only on PostgreSQL (SQLite stays one process).
describe.runIf(PG_URL !== undefined)('WORKERS=2 on PostgreSQL', () => {
  it('serves from two processes on one port, replaces a dead one, and SIGTERM stops all', async () => {
    const fresh = await freshDatabase('postgres');
    if (fresh.target.kind !== 'postgres') throw new Error('expected PostgreSQL');
    try {
      const service = await startService({
        WORKERS: '2',
        MASTER_KEY: crypto.randomBytes(32).toString('base64'),
        SEED_DEMO: 'true',
        LOG_LEVEL: 'warn',
        DATABASE_URL: fresh.target.url,
      });
      const primary = service.child.pid ?? 0;
      const key = /Browser key:\s+(\S+)/.exec(service.stdout())?.[1];
      const queue = /queue-status\/(\S+)/.exec(service.stdout())?.[1];
      if (key === undefined || queue === undefined) {
        throw new Error(`no demo printed:\n${service.stdout()}`);
      }
      await vi.waitFor(() => expect(childrenOf(primary)).toHaveLength(2), { timeout: 60_000 });
      const workers = childrenOf(primary);

      const status = `/engagement/v3/callbacks/queue-status/${queue}`;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => request(service.base, key, 'GET', status)),
      );
      expect(answers.map((a) => a.http)).toEqual(Array(20).fill(200));

      // A worker that dies is replaced (the port answers again once a worker listens).
      process.kill(workers[0] ?? 0, 'SIGKILL');
      await vi.waitFor(
        () => {
          const now = childrenOf(primary);
          expect(now).toHaveLength(2);
          expect(now).not.toContain(workers[0]);
        },
        { timeout: 30_000 },
      );
      await vi.waitFor(
        async () => expect((await request(service.base, key, 'GET', status)).http).toBe(200),
        { timeout: 60_000, interval: 500 },
      );

      const survivors = childrenOf(primary);
      service.child.kill('SIGTERM');
      await service.exited;
      expect(service.child.exitCode).toBe(0);
      for (const pid of survivors) expect(alive(pid)).toBe(false);
    } finally {
      await fresh.drop();
    }
  }, 180_000);
});
