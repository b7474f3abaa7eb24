import { expect, it } from 'vitest';
import { eventPayload } from '../../../src/services/event-writer.js';
import { describeEngines, suiteStore } from '../../helpers/engines.js';
import { waitingCallback } from '../reliability/seed.js';

const NOW = Date.parse('2026-11-25T15:00:00.000Z');

describeEngines('event outbox writes', (engine) => {
  const suite = suiteStore(engine);

  it('payloads the database builds for a bulk change are the ones the service builds', async () => {
    // Instants on and around second and millisecond boundaries, far ahead and at the epoch.
    const desiredTimes = [
      NOW,
      NOW + 1,
      NOW + 999,
      NOW + 1_001,
      NOW - 1,
      Date.parse('2099-12-31T23:59:59.999Z'),
      Date.parse('2000-02-29T00:00:00.010Z'),
      0,
      86_400_000 + 100,
    ];
    const rows = desiredTimes.map((desiredTime, index) => ({
      ...waitingCallback({
        tenantId: 'tenant-a',
        serviceName: index % 2 === 0 ? 'sales' : 'Ünïcode "quoted" \\ queue',
        index,
        now: NOW,
        desiredTime,
        state: index % 3 === 0 ? 'SCHEDULED' : 'QUEUED',
      }),
      reason: index % 2 === 0 ? null : 'PURGED',
      attempts: index,
      priority: index - 4,
    }));
    const ids = rows.map((row) => row.id);
    await suite.db.transaction(async (trx) => {
      await suite.store.callbacks.insertMany(rows, trx);
      await suite.store.events.insertForCallbacks(ids, 'callback.completed', NOW + 5, trx);
    });

    const events = await suite.db.kysely
      .selectFrom('callback_events')
      .selectAll()
      .where('callback_id', 'in', ids)
      .execute();
    expect(events).toHaveLength(rows.length);
    for (const callback of await suite.store.callbacks.byIds('tenant-a', ids)) {
      const event = events.find((e) => e.callback_id === callback.id);
      expect(event).toMatchObject({
        tenant_id: 'tenant-a',
        type: 'callback.completed',
        created_at: NOW + 5,
      });
      expect(JSON.parse(event?.payload ?? 'null')).toStrictEqual(eventPayload(callback));
    }
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
    await suite.db.transaction((trx) => suite.store.events.insertMany(events, trx));
    const stored = await suite.db.kysely
      .selectFrom('callback_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', 'tenant-b')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(14_000);
  });
});
