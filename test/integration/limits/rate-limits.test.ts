import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtherNode, startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines, PG_URL } from '../../helpers/engines.js';

type App = TestApp & { dropDatabase(): Promise<void> };

const MINUTE = 60_000;
const ON = { RATE_LIMITS: 'true' };

/** Applies a tenant configuration entry for `id` (its queue `support` and its rate limits). */
async function configure(t: TestApp, id: string, rateLimits?: Record<string, unknown>) {
  await t.services.tenantConfig.apply(
    { tenants: [{ id, queues: [{ name: 'support' }], ...(rateLimits ? { rateLimits } : {}) }] },
    'test',
  );
}

/** An Engagement call with the tenant's key from a client address. */
function engage(
  t: TestApp,
  tenant: TestTenant,
  ip: string,
  method: 'GET' | 'POST',
  url: string,
  payload?: Record<string, unknown>,
) {
  return t.call({
    method,
    url: `/engagement/v3${url}`,
    remoteAddress: ip,
    headers: { 'x-api-key': tenant.keys.engagement },
    ...(payload === undefined ? {} : { payload }),
  });
}

/** Seconds left in the fixed window of `windowMs` at `now`, as Retry-After gives them. */
const secondsLeft = (now: number, windowMs: number) =>
  Math.ceil((Math.floor(now / windowMs) * windowMs + windowMs - now) / 1000);

describeEngines('Engagement API rate limits', (engine) => {
  let t: App;
  let acme: TestTenant;
  beforeAll(async () => {
    t = await startTestApp(engine, { env: ON });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  it('per address: over the tenant’s limit is 429 42904 with Retry-After, until the window ends', async () => {
    await configure(t, 'acme', { default: { perIp: '5/min' } });
    t.clock.set('2026-11-25T15:00:20Z');
    const status = (ip: string) => engage(t, acme, ip, 'GET', '/callbacks/queue-status/support');
    for (let i = 0; i < 5; i++) expect((await status('203.0.113.1')).res.statusCode).toBe(200);
    const refused = await status('203.0.113.1');
    expect(refused.res.statusCode).toBe(429);
    expect(refused.body.status.code).toBe(42904);
    expect(refused.body.status.message).toMatch(/address.*at most 5 per 60 s/);
    expect(refused.body.status.corrId).toBe(refused.res.headers['x-correlation-id']);
    expect(refused.res.headers['retry-after']).toBe(String(secondsLeft(t.clock.now(), MINUTE)));
    expect(refused.res.headers['retry-after']).toBe('40');
    // Another address has its own count; the next window starts afresh.
    expect((await status('203.0.113.2')).res.statusCode).toBe(200);
    t.clock.advance(40_000);
    expect((await status('203.0.113.1')).res.statusCode).toBe(200);
    // A flood of refusals does not fill the tenant's error log.
    for (let i = 0; i < 10; i++) await status('203.0.113.3');
    const errors = await t.call<{ items: { code: number }[] }>({
      method: 'GET',
      url: '/admin/v1/errors?limit=200',
      headers: { cookie: acme.cookies.Administrator },
    });
    expect(errors.body.data.items.filter((e) => e.code === 42904)).toEqual([]);
  });

  it('an IPv6 client is one /64: rotating addresses inside it does not help', async () => {
    await configure(t, 'acme', { default: { perIp: '2/min' } });
    t.clock.set('2026-11-25T15:30:00Z');
    const status = (ip: string) => engage(t, acme, ip, 'GET', '/callbacks/queue-status/support');
    const codes = [];
    for (const ip of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff::c']) {
      codes.push((await status(ip)).res.statusCode);
    }
    expect(codes).toEqual([200, 200, 429]);
    expect((await status('2001:db8:1:3::a')).res.statusCode).toBe(200);
  });

  it('bookings by default: 30 a minute per address, 5 an hour per phone number; refused ones write nothing', async () => {
    await configure(t, 'acme', { default: { perIp: 'off' } });
    t.clock.set('2026-11-25T16:00:00Z');
    const book = (ip: string, phoneNumber: string) =>
      engage(t, acme, ip, 'POST', '/callbacks/create', { serviceName: 'support', phoneNumber });
    const number = (i: number) => `+1202555${String(1000 + i).padStart(4, '0')}`;
    for (let i = 0; i < 30; i++) {
      const ok = await book('198.51.100.7', number(i));
      expect(ok.res.statusCode, ok.res.body).toBe(200);
    }
    const before = await t.services.store.db.kysely
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const refused = await book('198.51.100.7', number(99));
    expect(refused.res.statusCode).toBe(429);
    expect(refused.body.status.code).toBe(42904);
    expect(refused.body.status.message).toMatch(/address/);
    expect(Number(refused.res.headers['retry-after'])).toBeGreaterThan(0);

    // One number from many addresses: the duplicate check answers the 3rd to 5th, the 6th is
    // past the number's hourly limit, whoever sends it.
    const victim = '+12025550777';
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await book(`192.0.2.${i + 1}`, victim)).body.status.code);
    expect(codes).toEqual([0, 0, 40901, 40901, 40901, 42904]);
    const later = await book('192.0.2.99', victim);
    expect(later.body.status.message).toMatch(/phone number.*at most 5 per 3600 s/);
    const after = await t.services.store.db.kysely
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 2);
  });

  it('call-in matching by default: 20 a minute per address, however the access codes are guessed', async () => {
    t.clock.set('2026-11-25T17:00:00Z');
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) {
      const answer = await engage(t, acme, '198.51.100.9', 'POST', '/call-in/requests/match', {
        toPhoneNumber: '+12025550100',
        accessCode: String(i).padStart(3, '0'),
      });
      codes.push(answer.body.status.code);
    }
    expect(codes.slice(0, 20).every((c) => c !== 42904)).toBe(true);
    expect(codes[20]).toBe(42904);
  });

  it('per key, as configured; "off" lifts a limit and bad limits are refused as a whole', async () => {
    t.clock.set('2026-11-25T18:00:00Z');
    const globex = await t.tenant('globex');
    await configure(t, 'globex', { default: { perKey: '3/10s', perIp: 'off' } });
    const call = (ip: string) => engage(t, globex, ip, 'GET', '/callbacks/queue-status/support');
    const codes = [];
    for (let i = 0; i < 2; i++) codes.push((await call(`10.1.0.${i}`)).res.statusCode);
    // A request refused as invalid counts too.
    codes.push(
      (await engage(t, globex, '10.1.0.2', 'POST', '/callbacks/retrieve', {})).res.statusCode,
    );
    codes.push((await call('10.1.0.3')).res.statusCode);
    expect(codes).toEqual([200, 200, 400, 429]);
    // Another tenant's key is not slowed down by globex's.
    expect(
      (await engage(t, acme, '10.1.0.9', 'GET', '/callbacks/queue-status/support')).res.statusCode,
    ).toBe(200);
    t.clock.advance(10_000);
    expect((await call('10.1.0.0')).res.statusCode).toBe(200);

    await expect(configure(t, 'globex', { create: { perIp: '30 per minute' } })).rejects.toThrow(
      /tenants\[0\]\.rateLimits\.create\.perIp/,
    );
    await expect(configure(t, 'globex', { creat: {} })).rejects.toThrow(/unknown route class/);
    await configure(t, 'globex', { default: { perKey: 'off', perIp: 'off' } });
    for (let i = 0; i < 6; i++) expect((await call('10.1.0.1')).res.statusCode).toBe(200);
  });
});

// Several nodes on one PostgreSQL database share their counts.
(PG_URL ? describe : describe.skip)('rate limits across nodes [postgres]', () => {
  let one: App;
  let two: App;
  let tenant: TestTenant;
  beforeAll(async () => {
    one = await startTestApp('postgres', { env: ON });
    two = await startOtherNode(one, ON);
    tenant = await one.tenant('acme');
    await configure(one, 'acme', { default: { perKey: '10/min', perIp: 'off' } });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
    await one.dropDatabase();
  });

  it('a key’s limit holds over two nodes, in turn and all at once', async () => {
    one.clock.set('2026-11-25T15:00:00Z');
    const call = (node: App) =>
      engage(node, tenant, '203.0.113.5', 'GET', '/callbacks/queue-status/support');
    const inTurn: number[] = [];
    for (let i = 0; i < 12; i++) inTurn.push((await call(i % 2 === 0 ? one : two)).res.statusCode);
    expect(inTurn).toEqual([...Array<number>(10).fill(200), 429, 429]);

    one.clock.advance(MINUTE);
    const together = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i % 2 === 0 ? one : two)),
    );
    const statuses = together.map((a) => a.res.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });
});
