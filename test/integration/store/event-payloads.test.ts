import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openDb, type Db } from '../../../src/store/db.js';
import { createStore, type Store } from '../../../src/store/index.js';
import { describeEngines, freshDatabase } from '../../helpers/engines.js';

const NOW = Date.parse('2026-11-25T15:00:00.000Z');

describeEngines('event outbox writes', (engine) => {
  let db: Db;
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabase(engine);
    drop = () => fresh.drop();
    db = openDb(fresh.target);
    await migrate(db);
    store = createStore(db);
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('a change of more rows than one statement may bind is stored whole', async () => {
    // 14 000 events × 5 columns: more parameters than either engine binds in one statement.
    const events = Array.from({ length: 14_000 }, (_, i) => ({
      tenantId: 'tenant-b',
      callbackId: `cb-${i}`,
      type: 'callback.completed',
      payload: { i },
      now: NOW,
    }));
    await db.transaction((trx) => store.events.insertMany(trx, events));
    const stored = await db.kysely
      .selectFrom('callback_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', 'tenant-b')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(14_000);
  });
});
