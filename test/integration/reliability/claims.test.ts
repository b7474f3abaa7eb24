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

/** The three calls a dialer makes, for one callback or a batch (up to BATCH) at a time. */
interface Dialer {
  claim(): Promise<string[]>;
  start(ids: string[]): Promise<void>;
  finish(ids: string[]): Promise<void>;
}

const BATCH = 10;

/** Throws unless every callback of a batch answer reached `state`. */
function expectAll(
  results: { id: string; callback?: { callbackState: string }; error?: unknown }[],
  state: string,
) {
  const wrong = results.find((r) => r.callback?.callbackState !== state);
  if (wrong) throw new Error(`${wrong.id} did not reach ${state}: ${JSON.stringify(wrong)}`);
}

/**
 * A dialer speaking the dispatch API over real HTTP to one node: one callback per request, or
 * batches (claim with maxCallbacks, then the batch start and finish).
 */
function httpDialer(base: string, key: string, batched: boolean): Dialer {
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
  type Results = { results: { id: string; callback?: { callbackState: string } }[] };
  return {
    async claim() {
      const { callbacks } = await post<{ callbacks: { id: string }[] }>('/claim', {
        serviceNames: [QUEUE],
        leaseSeconds: 300,
        maxCallbacks: batched ? BATCH : 1,
      });
      return callbacks.map((c) => c.id);
    },
    async start(ids) {
      if (batched) expectAll((await post<Results>('/start', { ids })).results, 'PROCESSING');
      else for (const id of ids) await post(`/callbacks/${id}/start`, {});
    },
    async finish(ids) {
      if (batched) {
        const results = ids.map((id) => ({ id, outcome: 'AGENT_CONNECTED' }));
        expectAll((await post<Results>('/finish', { results })).results, 'COMPLETED');
        return;
      }
      for (const id of ids) {
        const done = await post<{ callbackState: string }>(`/callbacks/${id}/finish`, {
          outcome: 'AGENT_CONNECTED',
        });
        if (done.callbackState !== 'COMPLETED') throw new Error(`${id} is ${done.callbackState}`);
      }
    },
  };
}

/** A batching dialer built into a node, calling its dispatch service directly (as the routes do). */
function directDialer(node: TestApp, keyId: string): Dialer {
  const { dispatch } = node.services;
  const expectAllRows = (results: Map<string, { state?: string } | Error>, state: string) => {
    for (const [id, row] of results) {
      if (row instanceof Error || row.state !== state) throw new Error(`${id} is not ${state}`);
    }
  };
  return {
    async claim() {
      return (await dispatch.claimMany(TENANT, [QUEUE], keyId, 300, 0, BATCH)).map((r) => r.id);
    },
    async start(ids) {
      expectAllRows(await dispatch.startMany(TENANT, ids, keyId), 'PROCESSING');
    },
    async finish(ids) {
      const results = ids.map((id) => ({ id, outcome: 'AGENT_CONNECTED' as const }));
      expectAllRows(await dispatch.finishMany(TENANT, results, keyId), 'COMPLETED');
    },
  };
}

/** Claims, starts and connects callbacks until a claim finds the queue empty. */
async function dial(name: string, dialer: Dialer): Promise<DialerLog> {
  const log: DialerLog = { name, claimed: [] };
  for (;;) {
    const ids = await dialer.claim();
    if (ids.length === 0) return log;
    log.claimed.push(...ids);
    await dialer.start(ids);
    await dialer.finish(ids);
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
    // Over real HTTP one callback at a time (node 0) and in batches (node 1), and two batching
    // dialers inside the nodes: claims race across both nodes, both paths and both API forms,
    // and the test stays within CI time on two cores.
    const dialers = keys.map(({ key, id }, i) => {
      const n = i % 2;
      const node = nodes[n];
      if (!node) throw new Error('no node');
      return i < 2
        ? dial(
            `HTTP dialer${n === 1 ? ` (batches of ${BATCH})` : ''} → node ${n}`,
            httpDialer(bases[n] ?? '', key, n === 1),
          )
        : dial(`direct dialer (batches of ${BATCH}) on node ${n}`, directDialer(node, id));
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
