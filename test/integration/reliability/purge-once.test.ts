import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { BulkChangeNews } from '../../../src/infra/invalidation.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { NEW_YORK_OFFICE } from '../booking/helpers.js';
import type { QueueSettingsPatch } from '../../../src/domain/queue-settings.js';
import { eventCounts, phoneFor, seedCallbacks, stateCounts, waitingCallback } from './seed.js';

type Node = TestApp & { dropDatabase(): Promise<void> };

const ms = (iso: string) => Date.parse(iso);

describeEngines('the end-of-day purge runs once per close', (engine) => {
  // PostgreSQL: two nodes on one database sharing one clock; SQLite: the single node it supports.
  const nodes: Node[] = [];
  const first = () => {
    const node = nodes[0];
    if (!node) throw new Error('no node');
    return node;
  };

  /** Every node runs the purge twice at once, `rounds` times over; how many callbacks it purged. */
  async function purgeEverywhere(iso: string, rounds = 3): Promise<number> {
    first().clock.set(iso);
    let total = 0;
    for (let round = 0; round < rounds; round++) {
      const runs = nodes.flatMap((n) => [0, 1].map(() => n.services.lifecycle.purge(ms(iso))));
      total += (await Promise.all(runs)).reduce((a, b) => a + b, 0);
    }
    return total;
  }

  /** Callback ids of a tenant in a state (completed ones as `COMPLETED/REASON`). */
  async function idsIn(tenantId: string, state: string): Promise<string[]> {
    const rows = await first()
      .services.store.db.kysely.selectFrom('callbacks')
      .select(['id', 'state', 'reason'])
      .where('tenant_id', '=', tenantId)
      .execute();
    return rows
      .filter((r) => (r.reason === null ? r.state : `${r.state}/${r.reason}`) === state)
      .map((r) => r.id)
      .sort();
  }

  // What each node heard of the other's bulk changes (PostgreSQL).
  const heard: BulkChangeNews[] = [];
  /** Waits until the nodes have heard `count` pieces of news in all; the latest `latest`. */
  async function hearAll(count: number, latest: BulkChangeNews[]) {
    if (engine !== 'postgres') return;
    await vi.waitFor(() => expect(heard).toHaveLength(count));
    expect(heard.slice(-latest.length)).toEqual(latest);
  }

  beforeAll(async () => {
    nodes.push(await startTestApp(engine));
    if (engine === 'postgres') {
      nodes.push(
        await startTestApp(engine, { shared: first().config.database, clock: first().clock }),
      );
    }
    for (const node of nodes) node.services.invalidation.onBulkChange((news) => heard.push(news));
  });
  afterAll(async () => {
    for (const node of [...nodes].reverse()) await node.close();
    await nodes[0]?.dropDatabase();
  });

  it('completes each callback still waiting at 17:00 New York as PURGED exactly once, day after day', async () => {
    const { services, clock } = first();
    const tenantId = 'acme';
    const actor = { tenantId, name: 'test' };
    await services.tenants.create({ id: tenantId, timezone: 'America/New_York', source: 'test' });
    await services.queues.create(actor, { name: 'support', ...NEW_YORK_OFFICE });
    let caller = 0;
    const book = (desiredTime?: string) =>
      services.booking.create(tenantId, {
        serviceName: 'support',
        phoneNumber: phoneFor(caller++),
        ...(desiredTime === undefined ? {} : { desiredTime }),
      });

    // Wednesday 14:00 in New York: four callers want a call now, four later today, three tomorrow.
    clock.set('2026-11-25T19:00:00Z');
    for (let i = 0; i < 4; i++) await book();
    for (const at of ['20:00', '20:30', '21:00', '21:30']) await book(`2026-11-25T${at}:00Z`);
    for (let i = 0; i < 3; i++) await book('2026-11-26T15:00:00Z');
    // One customer is on the phone with an agent at closing time: the purge leaves that call alone.
    const onCall = await services.dispatch.claim(tenantId, ['support'], 'dialer', 600);
    if (!onCall) throw new Error('nothing to claim');
    await services.dispatch.start(tenantId, onCall.id, 'dialer');
    clock.set('2026-11-25T21:59:00Z');
    expect(await services.lifecycle.promoteDue(clock.now())).toBe(4);
    // Every bulk change is told to the other nodes, so they hold the queue's figures meanwhile.
    const support = (phase: BulkChangeNews['phase']) => ({
      phase,
      tenantId,
      serviceName: 'support',
    });
    await hearAll(2, [support('begins'), support('ends')]);

    expect(await purgeEverywhere('2026-11-25T21:59:59.999Z')).toBe(0);
    expect(await stateCounts(services.store, tenantId)).toEqual({
      QUEUED: 7,
      PROCESSING: 1,
      SCHEDULED: 3,
    });

    expect(await purgeEverywhere('2026-11-25T22:00:30Z')).toBe(7);
    await hearAll(4, [support('begins'), support('ends')]);
    expect(await stateCounts(services.store, tenantId)).toEqual({
      'COMPLETED/PURGED': 7,
      PROCESSING: 1,
      SCHEDULED: 3,
    });
    const purgedToday = await idsIn(tenantId, 'COMPLETED/PURGED');
    let completed = await eventCounts(services.store, tenantId, 'callback.completed');
    expect([...completed.keys()].sort()).toEqual(purgedToday);
    expect([...completed.values()]).toEqual(purgedToday.map(() => 1));

    // Thursday: two more callers at noon; the 17:00 close takes them and Wednesday's bookings for today.
    clock.set('2026-11-26T17:00:00Z');
    for (let i = 0; i < 2; i++) await book();
    clock.set('2026-11-26T21:59:00Z');
    expect(await services.lifecycle.promoteDue(clock.now())).toBe(3);
    expect(await purgeEverywhere('2026-11-26T21:59:59.999Z')).toBe(0);
    expect(await purgeEverywhere('2026-11-26T22:00:30Z')).toBe(5);
    expect(await stateCounts(services.store, tenantId)).toEqual({
      'COMPLETED/PURGED': 12,
      PROCESSING: 1,
    });
    completed = await eventCounts(services.store, tenantId, 'callback.completed');
    expect([...completed.keys()].sort()).toEqual(await idsIn(tenantId, 'COMPLETED/PURGED'));
    expect([...completed.values()]).toEqual(Array.from({ length: 12 }, () => 1));
    expect(await idsIn(tenantId, 'PROCESSING')).toEqual([onCall.id]);
  });

  it('purges at the real local closing instant on both 2026 New York DST days', async () => {
    const { services } = first();
    const tenantId = 'dst';
    const actor = { tenantId, name: 'test' };
    await services.tenants.create({ id: tenantId, timezone: 'America/New_York', source: 'test' });
    // Both DST changes fall on a Sunday: a night queue whose hours span the change, and a day queue.
    const sunday = (from: string, to: string): QueueSettingsPatch => ({
      timezone: 'America/New_York',
      businessHours: { weekly: { sun: [[from, to]] } },
    });
    await services.queues.create(actor, { name: 'night', ...sunday('00:00', '03:00') });
    await services.queues.create(actor, { name: 'day', ...sunday('09:00', '17:00') });

    // The closes in UTC: 03:00 and 17:00 are EDT (−4) on 8 March and EST (−5) on 1 November.
    const cases = [
      { queue: 'night', waitingSince: '2026-03-08T05:30:00Z', close: '2026-03-08T07:00:00Z' },
      { queue: 'day', waitingSince: '2026-03-08T14:00:00Z', close: '2026-03-08T21:00:00Z' },
      { queue: 'night', waitingSince: '2026-11-01T04:30:00Z', close: '2026-11-01T08:00:00Z' },
      { queue: 'day', waitingSince: '2026-11-01T15:00:00Z', close: '2026-11-01T22:00:00Z' },
    ];
    let index = 0;
    for (const c of cases) {
      const rows = Array.from({ length: 3 }, () =>
        waitingCallback({
          tenantId,
          serviceName: c.queue,
          index: index++,
          now: ms(c.waitingSince),
        }),
      );
      await seedCallbacks(services.store, rows);
      const ids = rows.map((r) => r.id).sort();
      const states = async () => {
        const found = await services.store.db.kysely
          .selectFrom('callbacks')
          .select(['state', 'reason'])
          .where('id', 'in', ids)
          .execute();
        return found.map((r) => (r.reason === null ? r.state : `${r.state}/${r.reason}`));
      };

      const label = `${c.queue} queue closing at ${c.close}`;
      expect(await purgeEverywhere(new Date(ms(c.close) - 1).toISOString()), label).toBe(0);
      expect(await states(), label).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
      expect(await purgeEverywhere(c.close), label).toBe(3);
      expect(await states(), label).toEqual([
        'COMPLETED/PURGED',
        'COMPLETED/PURGED',
        'COMPLETED/PURGED',
      ]);
    }
    const completed = await eventCounts(services.store, tenantId, 'callback.completed');
    expect([...completed.values()]).toEqual(Array.from({ length: cases.length * 3 }, () => 1));
  });
});
