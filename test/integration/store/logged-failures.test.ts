import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Invalidation } from '../../../src/infra/invalidation.js';
import type { Logger } from '../../../src/log.js';
import { migrate, openDb, type Db } from '../../../src/store/db.js';
import { PG_URL, freshDatabase } from '../../helpers/engines.js';

/** A logger that keeps what it is told. */
function recorder() {
  const lines: { level: string; context: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (context: Record<string, unknown>, message: string): void => {
      lines.push({ level, context, message });
    };
  const log: Logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  };
  return { log, lines };
}

// Only PostgreSQL has other nodes to lose touch with: SQLite's notify and listen do nothing.
describe.runIf(PG_URL !== undefined)(
  'failures the store recovers from are logged [postgres]',
  () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });

    async function open(log: Logger): Promise<{ db: Db; url: string }> {
      const fresh = await freshDatabase('postgres');
      if (fresh.target.kind !== 'postgres') throw new Error('expected PostgreSQL');
      const db = openDb(fresh.target, { log });
      await migrate(db);
      cleanup.push(() => fresh.drop());
      return { db, url: fresh.target.url };
    }

    it('a lost LISTEN connection is logged with its channel, reconnected, and told as "*"', async () => {
      const { log, lines } = recorder();
      const { db, url } = await open(log);
      cleanup.push(() => db.close());
      const heard: string[] = [];
      const stop = await db.listen('oc_test_channel', (payload) => heard.push(payload));
      cleanup.push(stop);

      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and query like 'LISTEN%'`,
      );
      await admin.end();

      await expect
        .poll(() => lines.filter((l) => l.level === 'warn').map((l) => l.context.channel))
        .toContain('oc_test_channel');
      // Back on the channel, it says it may have missed messages, then hears new ones.
      await expect.poll(() => heard, { timeout: 5_000 }).toContain('*');
      await db.notify('oc_test_channel', 'after');
      await expect.poll(() => heard).toContain('after');
    });

    it('a change whose news cannot reach the other nodes still succeeds, with a warning', async () => {
      const { log, lines } = recorder();
      const { db } = await open(log);
      const invalidation = new Invalidation(db, log);
      let forgotten = 0;
      invalidation.on('queues', () => forgotten++);
      await db.close();

      await expect(invalidation.publish('queues')).resolves.toBeUndefined();
      expect(forgotten).toBe(1);
      const warnings = lines.filter((l) => l.level === 'warn');
      expect(warnings.map((l) => l.context.kind)).toEqual(['queues']);
    });
  },
);
