import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import pg from 'pg';
import { PG_URL, describeEngines } from '../../helpers/engines.js';
import { nycNumber } from './helpers.js';

const NOW = '2026-11-25T15:00:00.000Z';
const SLOT = '2026-11-26T15:00:00.000Z';
const CAPACITY = 5;
const REQUESTS = 50;

type Node = TestApp & { dropDatabase(): Promise<void> };

/**
 * Waits until the server has closed every connection to the test database: a pool's end()
 * resolves before its sockets close, and dropping the database under them makes the closing
 * clients emit errors.
 */
async function waitForDisconnect(target: Node['config']['database']): Promise<void> {
  if (target.kind !== 'postgres' || !PG_URL) return;
  const name = new URL(target.url).pathname.slice(1);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        'select count(*) as n from pg_stat_activity where datname = $1',
        [name],
      );
      if (Number(rows[0]?.n ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.end();
  }
}

/** Starts listening on a free local port; the base URL. */
async function listen(node: Node): Promise<string> {
  await node.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = node.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

describeEngines('capacity holds under concurrent bookings', (engine) => {
  // PostgreSQL: two service instances on one database; SQLite: the single instance it supports.
  const nodes: Node[] = [];
  const bases: string[] = [];
  let tenant: TestTenant;

  beforeAll(async () => {
    const first = await startTestApp(engine);
    nodes.push(first);
    if (engine === 'postgres') {
      nodes.push(await startTestApp(engine, { shared: first.config.database, clock: first.clock }));
    }
    first.clock.set(NOW);
    tenant = await first.tenant('acme', { timezone: 'America/New_York' });
    const created = await first.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: tenant.cookies.Administrator },
      payload: {
        name: 'rush',
        slotDurationMinutes: 30,
        slotCapacity: CAPACITY,
        enforceCapacityOnCreate: true,
      },
    });
    expect(created.res.statusCode).toBe(200);
    for (const node of nodes) bases.push(await listen(node));
  });
  afterAll(async () => {
    for (const node of [...nodes].reverse()) await node.close();
    const first = nodes[0];
    if (!first) return;
    await waitForDisconnect(first.config.database);
    await first.dropDatabase();
  });

  /** Fires the create bodies at once, spread over every node; the answers' codes. */
  const rush = (bodies: Record<string, unknown>[]) =>
    Promise.all(
      bodies.map(async (body, i) => {
        const res = await fetch(`${bases[i % bases.length] ?? ''}/engagement/v3/callbacks/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': tenant.keys.engagement },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as { status: { code: number } };
        return { http: res.status, code: answer.status.code };
      }),
    );
  const count = (answers: { code: number }[], code: number) =>
    answers.filter((a) => a.code === code).length;

  it(`${REQUESTS} concurrent bookings of one slot of capacity ${CAPACITY}: exactly ${CAPACITY} succeed`, async () => {
    const answers = await rush(
      Array.from({ length: REQUESTS }, (_, i) => ({
        serviceName: 'rush',
        phoneNumber: nycNumber(i),
        desiredTime: SLOT,
      })),
    );
    const ok = answers.filter((a) => a.http === 200 && a.code === 0);
    const full = answers.filter((a) => a.http === 429 && a.code === 42901);
    expect(ok).toHaveLength(CAPACITY);
    expect(full).toHaveLength(REQUESTS - CAPACITY);

    const first = nodes[0];
    if (!first) throw new Error('no node');
    const booked = await first.services.store.db.kysely
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenant.id)
      .where('service_name', '=', 'rush')
      .executeTakeFirstOrThrow();
    expect(Number(booked.n)).toBe(CAPACITY);

    const view = await first.call<{
      slots: { utcTime: string; capacity: number; total: number }[];
    }>({
      method: 'GET',
      url: `/engagement/v3/callbacks/availability/rush?start=${SLOT}&endMS=${Date.parse(SLOT) + 1}&reportBusy=true&timezone=America/New_York`,
      headers: { 'x-api-key': tenant.keys.engagement },
    });
    expect(view.body.data.slots).toEqual([
      { utcTime: SLOT, localTime: '2026-11-26T10:00:00.000-05:00', capacity: 0, total: CAPACITY },
    ]);
  });

  it('a cancellation frees exactly one place, also under a second rush', async () => {
    const first = nodes[0];
    if (!first) throw new Error('no node');
    const [one] = await first.services.store.callbacks.find(tenant.id, {
      serviceName: 'rush',
      states: ['SCHEDULED'],
      limit: 1,
    });
    const cancelled = await first.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/cancel',
      headers: { 'x-api-key': tenant.keys.engagement },
      payload: { id: one?.id },
    });
    expect(cancelled.res.statusCode).toBe(200);
    const answers = await rush(
      Array.from({ length: 20 }, (_, i) => ({
        serviceName: 'rush',
        phoneNumber: nycNumber(60 + i),
        desiredTime: SLOT,
      })),
    );
    expect(count(answers, 0)).toBe(1);
    expect(count(answers, 42901)).toBe(19);
  });

  it('the same number booked 20 times at once in a strict queue: one succeeds, 19 are duplicates', async () => {
    const created = await nodes[0]?.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: tenant.cookies.Administrator },
      payload: { name: 'strict', duplicateCheck: 'strict', maxQueuedImmediate: 3 },
    });
    expect(created?.res.statusCode).toBe(200);
    const answers = await rush(
      Array.from({ length: 20 }, () => ({ serviceName: 'strict', phoneNumber: nycNumber(99) })),
    );
    expect(count(answers, 0)).toBe(1);
    expect(count(answers, 40901)).toBe(19);
  });

  it('20 immediate callbacks at once into room for 2 more: two succeed, 18 get 42903', async () => {
    const answers = await rush(
      Array.from({ length: 20 }, (_, i) => ({ serviceName: 'strict', phoneNumber: nycNumber(i) })),
    );
    expect(count(answers, 0)).toBe(2);
    expect(count(answers, 42903)).toBe(18);
  });
});
