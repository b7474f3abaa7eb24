import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { PG_URL } from '../../helpers/engines.js';
import { eventCounts, listen, seedCallbacks, stateCounts, waitingCallback } from './seed.js';

const CALLBACKS = 10_000;
const TENANT = 'acme';
const QUEUE = 'outbound';

type Node = TestApp & { dropDatabase(): Promise<void> };

/** What one dialer did: the ids it claimed, in order. */
interface DialerLog {
  name: string;
  claimed: string[];
}

/** The three calls a dialer makes for each callback. */
interface Dialer {
  claim(): Promise<string | undefined>;
  start(id: string): Promise<void>;
  finish(id: string): Promise<void>;
}

/** A dialer speaking the dispatch API over real HTTP to one node. */
function httpDialer(base: string, key: string): Dialer {
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${base}/dispatch/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text}`);
    return (JSON.parse(text) as { data: T }).data;
  };
  return {
    async claim(): Promise<string | undefined> {
      const { callback } = await post<{ callback: { id: string } | null }>('/claim', {
        serviceNames: [QUEUE],
        leaseSeconds: 300,
      });
      return callback?.id;
    },
    async start(id: string) {
      await post(`/callbacks/${id}/start`, {});
    },
    async finish(id: string) {
      const done = await post<{ callbackState: string; callbackReason?: string }>(
        `/callbacks/${id}/finish`,
        { outcome: 'AGENT_CONNECTED' },
      );
      if (done.callbackState !== 'COMPLETED') throw new Error(`${id} is ${done.callbackState}`);
    },
  };
}

/** A dialer built into a node, calling its dispatch service directly (as the route does). */
function directDialer(node: TestApp, keyId: string): Dialer {
  const { dispatch } = node.services;
  return {
    async claim() {
      return (await dispatch.claim(TENANT, [QUEUE], keyId, 300))?.id;
    },
    async start(id) {
      await dispatch.start(TENANT, id, keyId);
    },
    async finish(id) {
      const done = await dispatch.finish(TENANT, id, keyId, 'AGENT_CONNECTED');
      if (done.state !== 'COMPLETED') throw new Error(`${id} is ${done.state}`);
    },
  };
}

/** Claims, starts and connects callbacks until a claim finds the queue empty. */
async function dial(name: string, dialer: Dialer): Promise<DialerLog> {
  const log: DialerLog = { name, claimed: [] };
  for (;;) {
    const id = await dialer.claim();
    if (id === undefined) return log;
    log.claimed.push(id);
    await dialer.start(id);
    await dialer.finish(id);
  }
}

// Several nodes on one database are a PostgreSQL deployment; SQLite runs a single node.
describe.skipIf(PG_URL === undefined)('two nodes, four dialers, one queue [postgres]', () => {
  const nodes: Node[] = [];
  const bases: string[] = [];
  const keys: { key: string; id: string }[] = [];

  beforeAll(async () => {
    const first = await startTestApp('postgres');
    nodes.push(first);
    nodes.push(
      await startTestApp('postgres', { shared: first.config.database, clock: first.clock }),
    );
    const tenant = await first.tenant(TENANT);
    const actor = { tenantId: TENANT, name: 'test' };
    await first.services.queues.create(actor, { name: QUEUE });
    // Each dialer has its own key: the key is who holds a claim.
    keys.push({ key: tenant.keys.dispatch, id: tenant.keyIds.dispatch });
    for (let i = 1; i < 4; i++)
      keys.push(await first.services.access.createApiKey(actor, 'dispatch'));
    const now = first.clock.now();
    await seedCallbacks(
      first.services.store,
      Array.from({ length: CALLBACKS }, (_, index) =>
        waitingCallback({ tenantId: TENANT, serviceName: QUEUE, index, now }),
      ),
    );
    for (const node of nodes) bases.push(await listen(node));
  });
  afterAll(async () => {
    for (const node of [...nodes].reverse()) await node.close();
    await nodes[0]?.dropDatabase();
  });

  it(`claims each of ${CALLBACKS} callbacks exactly once, losing none and leaving none stuck`, async () => {
    // Two dialers over real HTTP (one per node) and two inside the nodes, so the test stays
    // within CI time on two cores while claims still race across both nodes and both paths.
    const dialers = keys.map(({ key, id }, i) => {
      const n = i % 2;
      const node = nodes[n];
      if (!node) throw new Error('no node');
      return i < 2
        ? dial(`HTTP dialer → node ${n}`, httpDialer(bases[n] ?? '', key))
        : dial(`direct dialer on node ${n}`, directDialer(node, id));
    });
    const started = performance.now();
    const logs = await Promise.all(dialers);
    const seconds = (performance.now() - started) / 1000;
    const claims = logs.flatMap((l) => l.claimed);
    console.log(
      `${claims.length} claims (claim → start → finish) in ${seconds.toFixed(1)} s: ` +
        `${Math.round(claims.length / seconds)} claims/s; per dialer ` +
        logs.map((l) => `${l.name}: ${l.claimed.length}`).join(', '),
    );

    // Every dialer on both nodes got work, so the claims really raced each other.
    for (const l of logs) expect(l.claimed.length, l.name).toBeGreaterThan(0);
    // The dialers' own records: each callback handed to exactly one dialer, once.
    expect(claims).toHaveLength(CALLBACKS);
    expect(new Set(claims).size).toBe(CALLBACKS);

    const store = nodes[0]?.services.store;
    if (!store) throw new Error('no node');
    // The outbox agrees: one routing event per callback, no more.
    const routed = await eventCounts(store, TENANT, 'callback.routing');
    expect(routed.size).toBe(CALLBACKS);
    expect([...routed.values()].filter((n) => n !== 1)).toEqual([]);
    expect(new Set(routed.keys())).toEqual(new Set(claims));
    // None lost, none stuck in ROUTING or PROCESSING, none left waiting.
    expect(await stateCounts(store, TENANT)).toEqual({
      'COMPLETED/AGENT_CONNECTED': CALLBACKS,
    });
  }, 120_000);
});
