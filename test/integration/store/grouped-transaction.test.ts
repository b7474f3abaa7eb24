import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openDb, type Db } from '../../../src/store/db.js';
import { describeEngines, freshDatabase } from '../../helpers/engines.js';

describeEngines(
  'grouped transactions: many writers, one commit, each refusal on its own',
  (engine) => {
    let db: Db;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const fresh = await freshDatabase(engine);
      drop = fresh.drop;
      db = openDb(fresh.target);
      await migrate(db);
    });
    afterAll(async () => {
      await db.close();
      await drop();
    });

    const write = (key: string, fail: boolean) =>
      db.groupedTransaction(async (trx) => {
        await trx.insertInto('system_state').values({ key, value: 'written' }).execute();
        if (fail) throw new Error(`refused ${key}`);
        return key;
      });

    it('commits every write that succeeded and none of the one that failed', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => write(`k${i}`, i % 7 === 3)),
      );
      const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      expect(refused).toEqual([3, 10, 17, 24, 31, 38, 45]);
      const rows = await db.kysely.selectFrom('system_state').select('key').execute();
      const keys = new Set(rows.map((r) => r.key));
      for (let i = 0; i < 50; i++) expect(keys.has(`k${i}`), `k${i}`).toBe(i % 7 !== 3);
    });

    it('with a lock, each write sees the ones before it (checks that count stay exact)', async () => {
      const counts = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          db.groupedTransaction(async (trx) => {
            // SQLite's group runs its writes one after the other; PostgreSQL needs the lock.
            await db.lock(trx, 'counting');
            await trx
              .insertInto('system_state')
              .values({ key: `c${i}`, value: 'x' })
              .execute();
            const row = await trx
              .selectFrom('system_state')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('key', 'like', 'c%')
              .executeTakeFirstOrThrow();
            return Number(row.n);
          }),
        ),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
  },
);
