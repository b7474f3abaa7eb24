import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import {
  CACHE_KINDS,
  INVALIDATION_CHANNEL,
  type BulkChangeNews,
} from '../../../src/infra/invalidation.js';
import { CHANGES_ANNOUNCE_MS } from '../../../src/infra/queue-activity.js';
import { openRuntime } from '../../../src/runtime.js';
import { generateMasterKey } from '../../../src/security/secret-box.js';
import { migrate, openDb } from '../../../src/store/db.js';
import { PG_URL, freshDatabase } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

const STATUS_URL = '/engagement/v3/callbacks/queue-status/support';

// Several nodes share one database only on PostgreSQL.
describe.runIf(PG_URL !== undefined)('two service instances on one PostgreSQL database', () => {
  let one: TestApp & { dropDatabase(): Promise<void> };
  let two: TestApp;
  let acme: TestTenant;

  beforeAll(async () => {
    one = await startTestApp('postgres');
    two = await startTestApp('postgres', { shared: one.config.database });
    acme = await one.tenant('acme');
    await one.services.queues.create({ tenantId: 'acme', name: 'test' }, { name: 'support' });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
    await one.dropDatabase();
  });

  const status = (node: TestApp, key: string) =>
    node.call({ method: 'GET', url: STATUS_URL, headers: { 'x-api-key': key } });

  /** Polls `read` until it gives `expected`: a notification between nodes takes a moment. */
  async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 3_000) {
    const deadline = Date.now() + timeoutMs;
    let last = await read();
    while (last !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      last = await read();
    }
    return last;
  }

  it('a key created on one node works on the other; a revoke is heard there at once', async () => {
    const created = await one.call<{ id: string; key: string }>({
      method: 'POST',
      url: '/admin/v1/api-keys',
      headers: { cookie: acme.cookies.Administrator },
      payload: { scope: 'engagement', name: 'shared' },
    });
    expect(created.res.statusCode).toBe(200);
    const { id, key } = created.body.data;
    expect((await status(two, key)).res.statusCode).toBe(200);

    const revoked = await one.call({
      method: 'DELETE',
      url: `/admin/v1/api-keys/${id}`,
      headers: { cookie: acme.cookies.Administrator },
    });
    expect(revoked.res.statusCode).toBe(200);
    expect((await status(one, key)).body.status.code).toBe(40102);
    // No clock moves: the other node forgets its cached key when it hears of the revoke.
    const code = await eventually(async () => (await status(two, key)).body.status.code, 40102);
    expect(code).toBe(40102);
  });

  it('an error on one node is found by its correlation ID on the other', async () => {
    await two.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/none',
      headers: { 'x-api-key': acme.keys.engagement, 'x-correlation-id': 'two-nodes-1' },
    });
    const { body } = await one.call<{ items: { corrId: string; code: number }[] }>({
      method: 'GET',
      url: '/admin/v1/errors?corrId=two-nodes-1',
      headers: { cookie: acme.cookies.Developer },
    });
    expect(body.data.items).toMatchObject([{ corrId: 'two-nodes-1', code: 40402 }]);
  });

  it('a CORS origin added on one node is granted by the other as soon as it hears', async () => {
    const origin = 'https://www.acme.com';
    const ask = () =>
      two.call({
        method: 'GET',
        url: STATUS_URL,
        headers: { origin, 'x-api-key': acme.keys.engagement },
      });
    expect((await ask()).res.statusCode).toBe(403);
    await one.services.tenants.addOrigin({ tenantId: 'acme', name: 'test' }, origin, 'test');
    expect(await eventually(async () => (await ask()).res.statusCode, 200)).toBe(200);
    const granted = await ask();
    expect(granted.res.statusCode).toBe(200);
    expect(granted.res.headers['access-control-allow-origin']).toBe(origin);
  });

  it('a queue setting changed on one node applies on the other at once', async () => {
    const offered = async () =>
      (await status(two, acme.keys.engagement)).body.data as { offerScheduledCallback: boolean };
    expect((await offered()).offerScheduledCallback).toBe(true);
    await one.call({
      method: 'PATCH',
      url: '/admin/v1/queues/support',
      headers: { cookie: acme.cookies.Administrator },
      payload: { scheduledEnabled: false },
    });
    expect(await eventually(async () => (await offered()).offerScheduledCallback, false)).toBe(
      false,
    );
  });

  it("a queue's callbacks changed on one node are counted by the other's next answer once told", async () => {
    const offered = async () =>
      (await status(two, acme.keys.engagement)).body.data as { offerImmediateCallback: boolean };
    expect((await offered()).offerImmediateCallback).toBe(true);
    const report = await one.call({
      method: 'POST',
      url: '/dispatch/v1/agents',
      headers: { 'x-api-key': acme.keys.dispatch },
      payload: { serviceName: 'support', loggedIn: 0, available: 0 },
    });
    expect(report.body.status.code).toBe(0);
    // No clock moves: the other node recounts the queue when the batch of changes arrives.
    const started = Date.now();
    expect(await eventually(async () => (await offered()).offerImmediateCallback, false)).toBe(
      false,
    );
    expect(Date.now() - started).toBeLessThan(CHANGES_ANNOUNCE_MS + 1_000);
  });

  it("a node hears the other's bulk-change news but not its own; a message it cannot read forgets every cache", async () => {
    const heard: BulkChangeNews[] = [];
    const forgotten = new Set<string>();
    one.services.invalidation.onBulkChange((news) => heard.push(news));
    for (const kind of CACHE_KINDS) one.services.invalidation.on(kind, () => forgotten.add(kind));
    const news = (phase: BulkChangeNews['phase']) => ({
      phase,
      tenantId: 'acme',
      serviceName: 'support',
    });
    await one.services.invalidation.announce(news('begins'));
    await two.services.invalidation.announce(news('ends'));
    // Delivered in order: had the node heard its own, it would be first.
    await vi.waitFor(() => expect(heard).toEqual([news('ends')]));
    expect(forgotten.size).toBe(0);
    await two.services.store.db.notify(INVALIDATION_CHANNEL, '{"bulk":"sideways"}');
    await vi.waitFor(() => expect([...forgotten].sort()).toEqual([...CACHE_KINDS].sort()));
    expect(heard).toHaveLength(1);
  });

  it('nodes starting together on a fresh database migrate it safely', async () => {
    const fresh = await freshDatabase('postgres');
    if (fresh.target.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const config = loadConfig({
      DATABASE_URL: fresh.target.url,
      MASTER_KEY: generateMasterKey(),
      SEED_DEMO: 'false',
    });
    const nodes = await Promise.all([
      openRuntime(config),
      openRuntime(config),
      openRuntime(config),
    ]);
    try {
      const [first, second] = nodes;
      await first?.services.tenants.create({ id: 'together', source: 'test' });
      expect(await second?.services.tenants.list()).toMatchObject([{ id: 'together' }]);
      const db = openDb(fresh.target);
      expect(await migrate(db)).toEqual([]);
      await db.close();
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await fresh.drop();
    }
  });
});
