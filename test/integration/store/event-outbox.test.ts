import { Migrator, type Kysely } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { migrate, openDb, type Db } from '../../../src/store/db.js';
import { createStore } from '../../../src/store/index.js';
import { migrations } from '../../../src/store/migrations/index.js';
import { describeEngines, freshDatabase } from '../../helpers/engines.js';

const NOW = Date.parse('2026-11-25T15:00:00.000Z');

describeEngines('the event outbox', (engine) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function openAt(version: string): Promise<Db> {
    const fresh = await freshDatabase(engine);
    const db = openDb(fresh.target);
    close = async () => {
      await db.close();
      await fresh.drop();
    };
    const { error } = await new Migrator({
      db: db.kysely,
      provider: { getMigrations: async () => migrations(engine) },
    }).migrateTo(version);
    if (error) throw error instanceof Error ? error : new Error('migration failed');
    return db;
  }

  const event = (callbackId: string) => ({
    tenant_id: 'acme',
    callback_id: callbackId,
    type: 'callback.created',
    payload: '{}',
    created_at: NOW,
  });

  it('an upgrade keeps the events not yet handed on, and only those, for the dispatcher', async () => {
    const db = await openAt('0007_immediate_bounds');
    // Before 0008, an event handed on carried the time it was.
    const before = db.kysely as unknown as Kysely<{
      callback_events: ReturnType<typeof event> & { dispatched_at: number | null };
    }>;
    await before
      .insertInto('callback_events')
      .values([
        { ...event('handed-on'), dispatched_at: NOW },
        { ...event('pending-1'), dispatched_at: null },
        { ...event('pending-2'), dispatched_at: null },
      ])
      .execute();
    await migrate(db);

    const store = createStore(db);
    const taken = await db.transaction((trx) => store.events.claimUndispatched(10, trx));
    expect(taken.map((e) => e.callback_id)).toEqual(['pending-1', 'pending-2']);
    expect(await db.transaction((trx) => store.events.claimUndispatched(10, trx))).toEqual([]);
    // The history stays whole.
    const all = await db.kysely.selectFrom('callback_events').select('callback_id').execute();
    expect(all.map((e) => e.callback_id).sort()).toEqual(['handed-on', 'pending-1', 'pending-2']);
  });

  it('every event written enters it, one or many at a time, and leaves it once taken, oldest first', async () => {
    const db = await openAt('0008_event_outbox');
    const store = createStore(db);
    await db.transaction((trx) =>
      store.events.insertMany(
        ['a', 'b', 'c'].map((id) => ({
          tenantId: 'acme',
          callbackId: id,
          type: 'callback.created',
          payload: {},
          now: NOW,
        })),
        trx,
      ),
    );
    await db.kysely.insertInto('callback_events').values(event('d')).execute();
    const take = (n: number) =>
      db.transaction(async (trx) =>
        (await store.events.claimUndispatched(n, trx)).map((e) => e.callback_id),
      );
    expect(await take(2)).toEqual(['a', 'b']);
    expect(await take(10)).toEqual(['c', 'd']);
    expect(await take(10)).toEqual([]);
  });

  it('a dispatcher that fails puts the events it took back', async () => {
    const db = await openAt('0008_event_outbox');
    const store = createStore(db);
    await db.kysely.insertInto('callback_events').values(event('a')).execute();
    await expect(
      db.transaction(async (trx) => {
        expect(await store.events.claimUndispatched(10, trx)).toHaveLength(1);
        throw new Error('webhook fan-out failed');
      }),
    ).rejects.toThrow('webhook fan-out failed');
    const left = await db.kysely.selectFrom('callback_event_outbox').select('event_id').execute();
    expect(left).toHaveLength(1);
  });
});
