import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FLUSH_EVERY_MS } from '../../../src/services/rate-limits.js';
import { startOtherNode, startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { PG_URL } from '../../helpers/engines.js';

type App = TestApp & { dropDatabase(): Promise<void> };

const MINUTE = 60_000;
const ON = { RATE_LIMITS: 'true' };

// PostgreSQL: a node admits requests well below a limit on its own and writes their counts
// within FLUSH_EVERY_MS; near the limit every request is counted in the database first.
describe.runIf(PG_URL !== undefined)('rate limits counted in batches [postgres]', () => {
  let one: App;
  let two: App;
  beforeAll(async () => {
    one = await startTestApp('postgres', { env: ON });
    two = await startOtherNode(one, ON);
  });
  afterAll(async () => {
    await two.close();
    await one.close();
    await one.dropDatabase();
  });

  /** A tenant of its own (its own key's buckets) with a per-key limit and no per-address one. */
  async function tenantWith(id: string, perKey: string): Promise<TestTenant> {
    const tenant = await one.tenant(id);
    await one.services.tenantConfig.apply(
      {
        tenants: [
          { id, queues: [{ name: 'support' }], rateLimits: { default: { perKey, perIp: 'off' } } },
        ],
      },
      'test',
    );
    return tenant;
  }

  const status = (node: TestApp, tenant: TestTenant) =>
    node.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/support',
      remoteAddress: '203.0.113.9',
      headers: { 'x-api-key': tenant.keys.engagement },
    });

  /** The tenant's per-key count in the database, in the current window. */
  async function stored(tenant: TestTenant): Promise<number> {
    const start = Math.floor(one.clock.now() / MINUTE) * MINUTE;
    const row = await one.services.store.db.kysely
      .selectFrom('rate_limit_counters')
      .select('hits')
      .where('bucket', 'like', `${tenant.id}:perKey:%`)
      .where('window_start', '=', start)
      .executeTakeFirst();
    return Number(row?.hits ?? 0);
  }

  const admitted = (codes: number[]) => codes.filter((c) => c === 200).length;

  it('one node: exactly the limit, in turn or all at once, then 42904 until the window ends', async () => {
    const tenant = await tenantWith('solo', '100/min');
    one.clock.set('2026-11-25T15:00:20Z');
    const inTurn: number[] = [];
    for (let i = 0; i < 101; i++) inTurn.push((await status(one, tenant)).res.statusCode);
    expect(admitted(inTurn)).toBe(100);
    expect(inTurn[100]).toBe(429);
    const refused = await status(one, tenant);
    expect(refused.body.status.code).toBe(42904);
    expect(refused.res.headers['retry-after']).toBe('40');

    // The next window counts anew.
    one.clock.advance(40_000);
    const together = await Promise.all(Array.from({ length: 130 }, () => status(one, tenant)));
    const codes = together.map((a) => a.res.statusCode);
    expect(admitted(codes)).toBe(100);
    expect(codes.filter((c) => c === 429)).toHaveLength(30);
  });

  it('two nodes all at once: refusals come, past the limit by at most what the other admitted unwritten', async () => {
    const max = 200;
    const tenant = await tenantWith('pair', `${max}/min`);
    one.clock.set('2026-11-25T16:00:00Z');
    const together = await Promise.all(
      Array.from({ length: 2 * max }, (_, i) => status(i % 2 === 0 ? one : two, tenant)),
    );
    const codes = together.map((a) => a.res.statusCode);
    // The documented bound: max plus, per other node, at most max − headroom (50 here).
    expect(admitted(codes)).toBeLessThanOrEqual(max + (max - 50));
    expect(admitted(codes)).toBeGreaterThanOrEqual(max - 1);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 200 || c === 429)).toBe(true);
  });

  it('a node’s hits reach the database within the flush interval; the other node counts them', async () => {
    const tenant = await tenantWith('seen', '100/min');
    one.clock.set('2026-11-25T17:00:00Z');
    for (let i = 0; i < 45; i++) expect((await status(one, tenant)).res.statusCode).toBe(200);
    const started = Date.now();
    while ((await stored(tenant)) < 45 && Date.now() - started < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await stored(tenant)).toBe(45);
    // A flush and a round trip, with slack for a loaded machine.
    expect(Date.now() - started).toBeLessThan(FLUSH_EVERY_MS + 500);

    // The other node admits the rest of the limit and no more.
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) codes.push((await status(two, tenant)).res.statusCode);
    expect(admitted(codes)).toBe(55);
    expect(codes.slice(55).every((c) => c === 429)).toBe(true);
  });

  it('a node that closes writes the hits it has admitted', async () => {
    const tenant = await tenantWith('closing', '1000/min');
    one.clock.set('2026-11-25T18:00:00Z');
    const three = await startOtherNode(one, ON);
    for (let i = 0; i < 7; i++) expect((await status(three, tenant)).res.statusCode).toBe(200);
    await three.close();
    expect(await stored(tenant)).toBe(7);
  });

  it('a failed flush keeps its hits and says so once; the next flush writes them', async () => {
    const tenant = await tenantWith('retry', '1000/min');
    one.clock.set('2026-11-25T19:00:00Z');
    const warn = vi.spyOn(one.services.log, 'warn');
    const add = vi
      .spyOn(one.services.store.rateLimits, 'add')
      .mockRejectedValueOnce(new Error('database down'));
    try {
      for (let i = 0; i < 3; i++) expect((await status(one, tenant)).res.statusCode).toBe(200);
      const started = Date.now();
      while ((await stored(tenant)) < 3 && Date.now() - started < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await stored(tenant)).toBe(3);
      expect(add.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({
          err: expect.objectContaining({ message: 'database down' }) as unknown,
        }),
        'writing rate-limit counts failed',
      );
    } finally {
      add.mockRestore();
      warn.mockRestore();
    }
  });
});
