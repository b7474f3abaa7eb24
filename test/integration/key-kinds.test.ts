import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openDb } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { generateApiKey, hashToken } from '../../src/security/tokens.js';
import { describeEngines, freshDatabase } from '../helpers/engines.js';
import { startTestApp } from '../helpers/app.js';
import { startBooking, type BookingHarness, type CallbackView } from './booking/helpers.js';
import { seedDemoTenant } from '../../src/services/demo.js';

describeEngines('browser and server API keys', (engine) => {
  let h: BookingHarness;
  const asBrowser = () => ({ 'x-api-key': h.tenant.keys.browser });

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'support', slotCapacity: 5 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a browser key books, then reads, reschedules and cancels that callback by its id', async () => {
    const booked = await h.engage<{ id: string }>(
      'POST',
      '/callbacks/create',
      { serviceName: 'support', phoneNumber: '+12125550170' },
      asBrowser(),
    );
    expect(booked.res.statusCode, JSON.stringify(booked.body.status)).toBe(200);
    const id = booked.body.data.id;
    const read = await h.engage<CallbackView>('POST', '/callbacks/retrieve', { id }, asBrowser());
    expect(read.body.data).toMatchObject({ id, phoneNumber: '+12125550170' });
    const later = new Date(h.t.clock.now() + 2 * 3_600_000).toISOString();
    const moved = await h.engage<CallbackView>(
      'POST',
      '/callbacks/reschedule',
      { id, desiredTime: later },
      asBrowser(),
    );
    expect(moved.res.statusCode, JSON.stringify(moved.body.status)).toBe(200);
    expect(moved.body.data.callbackState).toBe('SCHEDULED');
    const cancelled = await h.engage('POST', '/callbacks/cancel', { id }, asBrowser());
    expect(cancelled.res.statusCode).toBe(200);
  });

  it('a browser key sees one phone number’s callbacks; listing the tenant’s needs a server key', async () => {
    const mine = await h.bookOk({ serviceName: 'support', phoneNumber: '+12125550171' });
    const theirs = await h.bookOk({ serviceName: 'support', phoneNumber: '+12125550172' });
    const own = await h.engage<{ callbacks: CallbackView[] }>(
      'POST',
      '/callbacks/query',
      { phoneNumber: '+1 212 555 0171' },
      asBrowser(),
    );
    expect(own.res.statusCode).toBe(200);
    expect(own.body.data.callbacks.map((c) => c.id)).toEqual([mine]);

    for (const payload of [{}, { serviceName: 'support' }, { limit: 500 }, { phoneNumber: ' ' }]) {
      const listed = await h.engage('POST', '/callbacks/query', payload, asBrowser());
      await h.expectError(listed, 403, 40303, /browser API key cannot query callbacks without/);
    }
    const all = await h.engage<{ callbacks: CallbackView[] }>('POST', '/callbacks/query', {});
    expect(all.res.statusCode).toBe(200);
    expect(all.body.data.callbacks.map((c) => c.id)).toEqual(
      expect.arrayContaining([mine, theirs]),
    );
  });

  it('a browser key asks queue information, verifies a CAPTCHA and creates a call-in request', async () => {
    for (const url of [
      '/callbacks/queue-status/support',
      '/callbacks/availability/support?numberOfDays=2',
      '/callbacks/open-for/support?queryImmediateOfferHours=true',
      '/estimated-wait-time?virtual-queues=support',
    ]) {
      const answer = await h.engage('GET', url, undefined, asBrowser());
      expect(answer.res.statusCode, `${url} ${JSON.stringify(answer.body.status)}`).toBe(200);
    }
    // No CAPTCHA credential and no call-in group: the answers are about those, not the key.
    const captcha = await h.engage(
      'POST',
      '/captcha/verify',
      { siteKey: 'x', captchaToken: 'y' },
      asBrowser(),
    );
    expect(captcha.body.status.code).not.toBe(40303);
    const callIn = await h.engage(
      'POST',
      '/call-in/requests/create',
      { groupName: 'nope' },
      asBrowser(),
    );
    expect(callIn.body.status.code).not.toBe(40303);
  });

  it('pushes, call-in matching and statistics need a server key (40303 in the envelope)', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['/notification/publish', { channel: 'fcm', target: 'device', message: 'Hello' }],
      ['/call-in/requests/match', { toPhoneNumber: '+12125550100', accessCode: '123' }],
      ['/statistics/operations/get-statistic-ex', { statistics: [] }],
    ];
    for (const [url, payload] of calls) {
      const refused = await h.engage('POST', url, payload, asBrowser());
      await h.expectError(refused, 403, 40303, /browser API key cannot .* use a server key/);
      // The server key passes the kind check (whatever the route then says of the payload).
      const server = await h.engage('POST', url, payload);
      expect(server.body.status.code, url).not.toBe(40303);
    }
  });

  it('the admin API makes a browser engagement key unless asked for a server key, and lists the kind', async () => {
    const made = async (body: Record<string, unknown>) =>
      h.admin<{ id: string; kind: string; key: string }>('POST', '/api-keys', body);
    const browser = await made({ scope: 'engagement', name: 'web page' });
    expect(browser.body.data.kind).toBe('browser');
    const server = await made({ scope: 'engagement', kind: 'server', name: 'backend' });
    expect(server.body.data.kind).toBe('server');
    const dispatch = await made({ scope: 'dispatch' });
    expect(dispatch.body.data.kind).toBe('server');
    const refused = await made({ scope: 'admin', kind: 'browser' });
    expect(refused.res.statusCode).toBe(400);
    expect(refused.body.status.code).toBe(40001);
    const list = await h.admin<{ items: { id: string; kind: string }[] }>('GET', '/api-keys');
    const kinds = new Map(list.body.data.items.map((k) => [k.id, k.kind]));
    expect(kinds.get(browser.body.data.id)).toBe('browser');
    expect(kinds.get(server.body.data.id)).toBe('server');
    // The key made here behaves as its kind says.
    const query = await h.engage(
      'POST',
      '/callbacks/query',
      {},
      { 'x-api-key': browser.body.data.key },
    );
    expect(query.body.status.code).toBe(40303);
  });
});

describeEngines('the first start', (engine) => {
  it('prints a browser engagement key the README’s curls work with, and an admin key', async () => {
    const t = await startTestApp(engine);
    try {
      const demo = await seedDemoTenant(
        t.services.store,
        t.services.tenants,
        t.services.queues,
        t.services.access,
      );
      if (!demo) throw new Error('the demo tenant was not created');
      const status = await t.call({
        method: 'GET',
        url: `/engagement/v3/callbacks/queue-status/${demo.queue}`,
        headers: { 'x-api-key': demo.browserKey },
      });
      expect(status.res.statusCode).toBe(200);
      const validate = async (key: string) =>
        (
          await t.call<{ message: string }>({
            method: 'POST',
            url: '/admin/v1/api-keys/validate',
            headers: { 'x-api-key': demo.adminKey },
            payload: { key },
          })
        ).body.data.message;
      expect(await validate(demo.browserKey)).toBe('Valid API Key — engagement, browser');
      expect(await validate(demo.adminKey)).toBe('Valid API Key — admin, server');
    } finally {
      await t.close();
      await t.dropDatabase();
    }
  });
});

describeEngines('upgrading to key kinds (migration 0009)', (engine) => {
  it('keeps every existing key working as a server key', async () => {
    const fresh = await freshDatabase(engine);
    const db = openDb(fresh.target);
    try {
      const migrator = new Migrator({
        db: db.kysely,
        provider: { getMigrations: async () => migrations(db.caps.engine) },
      });
      const before = await migrator.migrateTo('0008_event_outbox');
      expect(before.error).toBeUndefined();
      const { key, prefix } = generateApiKey();
      await sql`insert into tenants (id, name, timezone, source, created_at)
                values ('old', 'Old', 'UTC', 'test', 0)`.execute(db.kysely);
      await sql`insert into api_keys (id, tenant_id, name, scope, key_hash, key_prefix, created_at)
                values ('key_old', 'old', 'old', 'engagement', ${hashToken(key)}, ${prefix}, 0)`.execute(
        db.kysely,
      );
      await migrate(db);
      const row = await db.kysely
        .selectFrom('api_keys')
        .select('kind')
        .where('id', '=', 'key_old')
        .executeTakeFirstOrThrow();
      expect(row.kind).toBe('server');
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});
