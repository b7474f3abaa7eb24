import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.js';
import { startTestApp, type TestTenant } from '../helpers/app.js';
import { seedCallbacks, waitingCallback } from './reliability/seed.js';
import type {
  CallbackPage as Page,
  CallbackSummary as Summary,
} from '../../src/http/schemas/callbacks.js';
import type { SlotUse as Slot } from '../../src/http/schemas/queue-tools.js';

// 2026-11-25 is a Wednesday; 15:00Z is 10:00 in New York.
const NOW = '2026-11-25T15:00:00.000Z';
const ELEVEN_NY = '2026-11-25T16:00:00.000Z';
const NOON_NY = '2026-11-25T17:00:00.000Z';

describeEngines('admin callback routes (the Callback tab)', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let a: TestTenant;
  let b: TestTenant;

  const as = (role: keyof TestTenant['cookies'], tenant?: TestTenant) => ({
    cookie: (tenant ?? a).cookies[role],
  });
  const list = async (query: string, role: keyof TestTenant['cookies'] = 'Monitor') =>
    t.call<Page>({ method: 'GET', url: `/admin/v1/callbacks?${query}`, headers: as(role) });
  const create = (payload: Record<string, unknown>, role: keyof TestTenant['cookies']) =>
    t.call<Summary>({
      method: 'POST',
      url: '/admin/v1/callbacks',
      headers: as(role),
      payload: { serviceName: 'support', ...payload },
    });

  beforeAll(async () => {
    t = await startTestApp(engine);
    t.clock.set(NOW);
    a = await t.tenant('cb-a', { timezone: 'America/New_York' });
    b = await t.tenant('cb-b');
    const res = await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: as('Administrator'),
      payload: {
        name: 'support',
        businessHours: { weekly: { wed: [['09:00', '17:00']], thu: [['09:00', '17:00']] } },
        slotDurationMinutes: 60,
        slotCapacity: 2,
      },
    });
    expect(res.res.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  it('creates immediate and scheduled callbacks and lists them for today, newest first', async () => {
    const now = await create({ phoneNumber: '(212) 555-0100' }, 'Supervisor');
    expect(now.res.statusCode).toBe(200);
    expect(now.body.data).toMatchObject({
      phoneNumber: '+12125550100',
      state: 'QUEUED',
      immediate: true,
    });
    const later = await create(
      { phoneNumber: '+13125550111', desiredTime: ELEVEN_NY, alwaysCheckCapacity: true },
      'Administrator',
    );
    expect(later.body.data).toMatchObject({ state: 'SCHEDULED', desiredTime: ELEVEN_NY });

    const page = await list('range=today');
    expect(page.res.statusCode).toBe(200);
    expect(page.body.data.timezone).toBe('America/New_York');
    // Today in New York began at local midnight, 05:00Z.
    expect(page.body.data.from).toBe('2026-11-25T05:00:00.000Z');
    expect(page.body.data.items.map((c) => c.id)).toEqual([later.body.data.id, now.body.data.id]);
  });

  it('filters by state, queue and part of a phone number, and pages with a cursor', async () => {
    const queued = await list('range=today&states=QUEUED');
    expect(queued.body.data.items.map((c) => c.phoneNumber)).toEqual(['+12125550100']);
    const byPhone = await list('range=24h&phone=312-555');
    expect(byPhone.body.data.items.map((c) => c.phoneNumber)).toEqual(['+13125550111']);
    const otherQueue = await list('range=7d&queue=sales');
    expect(otherQueue.body.data.items).toEqual([]);

    const first = await list('range=today&limit=1');
    expect(first.body.data.items).toHaveLength(1);
    const cursor = first.body.data.nextBefore;
    expect(cursor).toBe(first.body.data.items[0]?.id);
    const second = await list(`range=today&limit=1&before=${cursor ?? ''}`);
    expect(second.body.data.items[0]?.phoneNumber).toBe('+12125550100');

    const badState = await list('range=today&states=WAITING');
    expect(badState.body.status.code).toBe(40001);
    expect(badState.body.status.message).toContain('WAITING');
  });

  it('searches a custom range on the desired time', async () => {
    const window = `range=custom&timeField=desired&from=${ELEVEN_NY}&to=${NOON_NY}`;
    const hit = await list(window);
    expect(hit.body.data.items.map((c) => c.phoneNumber)).toEqual(['+13125550111']);
    const missing = await list('range=custom&from=2026-11-25T00:00:00Z');
    expect(missing.body.status.code).toBe(40002);
  });

  it('reschedules and cancels, shows the history, and audits every write', async () => {
    const booked = await create(
      { phoneNumber: '+14155550123', desiredTime: ELEVEN_NY },
      'Supervisor',
    );
    const id = booked.body.data.id;
    t.clock.advance(60_000);
    const moved = await t.call<Summary>({
      method: 'POST',
      url: `/admin/v1/callbacks/${id}/reschedule`,
      headers: as('Supervisor'),
      payload: { desiredTime: NOON_NY },
    });
    expect(moved.body.data.desiredTime).toBe(NOON_NY);
    t.clock.advance(60_000);
    const cancelled = await t.call<Summary>({
      method: 'POST',
      url: `/admin/v1/callbacks/${id}/cancel`,
      headers: as('Administrator'),
    });
    expect(cancelled.body.data).toMatchObject({ state: 'COMPLETED', reason: 'CANCELLED_BY_ADMIN' });
    const again = await t.call({
      method: 'POST',
      url: `/admin/v1/callbacks/${id}/cancel`,
      headers: as('Administrator'),
    });
    expect(again.body.status.code).toBe(40902);

    const detail = await t.call<Summary & { history: { type: string; at: string }[] }>({
      method: 'GET',
      url: `/admin/v1/callbacks/${id}`,
      headers: as('Monitor'),
    });
    expect(detail.body.data.history.map((h) => h.type)).toEqual([
      'callback.created',
      'callback.rescheduled',
      'callback.cancelled',
    ]);

    const audit = await t.call<{ items: { action: string; target: string; actor: string }[] }>({
      method: 'GET',
      url: '/admin/v1/audit?limit=20',
      headers: as('Administrator'),
    });
    const mine = audit.body.data.items.filter((e) => e.target === id);
    expect(mine.map((e) => `${e.action} by ${e.actor}`)).toEqual([
      'callback.cancel by user:administrator',
      'callback.reschedule by user:supervisor',
      'callback.create by user:supervisor',
    ]);
  });

  it('lets every role read but only Administrator and Supervisor write or export', async () => {
    const monitorCreate = await create({ phoneNumber: '+12125550199' }, 'Monitor');
    expect(monitorCreate.res.statusCode).toBe(403);
    const developerCreate = await create({ phoneNumber: '+12125550199' }, 'Developer');
    expect(developerCreate.res.statusCode).toBe(403);
    const developerExport = await t.call({
      method: 'GET',
      url: '/admin/v1/callbacks/export.csv?range=today',
      headers: as('Developer'),
    });
    expect(developerExport.res.statusCode).toBe(403);
    const developerRead = await list('range=today', 'Developer');
    expect(developerRead.body.data.items.length).toBeGreaterThan(0);
  });

  it("keeps tenants apart: another tenant's callback is 404 and its list is empty", async () => {
    const mine = await list('range=today');
    const id = mine.body.data.items[0]?.id ?? '';
    const other = await t.call({
      method: 'GET',
      url: `/admin/v1/callbacks/${id}`,
      headers: as('Administrator', b),
    });
    expect(other.res.statusCode).toBe(404);
    const otherCancel = await t.call({
      method: 'POST',
      url: `/admin/v1/callbacks/${id}/cancel`,
      headers: as('Administrator', b),
    });
    expect(otherCancel.res.statusCode).toBe(404);
    const otherList = await t.call<Page>({
      method: 'GET',
      url: '/admin/v1/callbacks?range=7d',
      headers: as('Administrator', b),
    });
    expect(otherList.body.data.items).toEqual([]);
  });

  it('exports CSV with a header row and phone numbers kept as text', async () => {
    const res = await t.call({
      method: 'GET',
      url: '/admin/v1/callbacks/export.csv?range=today&states=QUEUED',
      headers: as('Supervisor'),
    });
    expect(res.res.statusCode).toBe(200);
    expect(res.res.headers['content-type']).toContain('text/csv');
    expect(res.res.headers['content-disposition']).toContain('attachment');
    const lines = res.res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,serviceName,phoneNumber,state,reason,desiredTime,immediate,priority,attempts,createdAt,completedAt',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]?.split(',').slice(1, 4)).toEqual(['support', "'+12125550100", 'QUEUED']);
  });

  it('shows booked versus capacity per slot, from now to the end of the Nth local day', async () => {
    const res = await t.call<{ timezone: string; from: string; to: string; slots: Slot[] }>({
      method: 'GET',
      url: '/admin/v1/queues/support/slots?days=2',
      headers: as('Monitor'),
    });
    expect(res.body.data.timezone).toBe('America/New_York');
    // The period covered, closed hours included: now to the end of Thursday in New York.
    expect(Date.parse(res.body.data.from)).toBe(t.clock.now());
    expect(res.body.data.to).toBe('2026-11-27T05:00:00.000Z');
    const slots = res.body.data.slots;
    // Wednesday 11:00–17:00 (the 10:00 slot has begun) and Thursday 09:00–17:00.
    expect(slots).toHaveLength(6 + 8);
    expect(slots[0]).toMatchObject({
      utcTime: ELEVEN_NY,
      localTime: '2026-11-25T11:00:00.000-05:00',
      capacity: 2,
      booked: 1,
      free: 1,
    });
    // The slot of the cancelled callback is free again.
    expect(slots[1]).toMatchObject({ utcTime: NOON_NY, booked: 0, free: 2 });
  });

  it("tests a number against the queue's rule or a draft of it", async () => {
    const test = (payload: Record<string, unknown>) =>
      t.call<{ valid: boolean; e164?: string; reason?: string }>({
        method: 'POST',
        url: '/admin/v1/queues/support/test-number',
        headers: as('Developer'),
        payload,
      });
    const ok = await test({ phoneNumber: '212 555 0100' });
    expect(ok.body.data).toEqual({ valid: true, e164: '+12125550100' });
    const bad = await test({ phoneNumber: '12' });
    expect(bad.body.data.valid).toBe(false);
    expect(bad.body.data.reason).toContain('too short');
    const draft = await test({
      phoneNumber: '+12125550100',
      numberRule: { defaultCountry: 'US', permittedCountries: ['GB'], blocked: [] },
    });
    expect(draft.body.data).toMatchObject({ valid: false });
    expect(draft.body.data.reason).toContain('GB');
    const badDraft = await test({ phoneNumber: '+12125550100', numberRule: { blocked: ['('] } });
    expect(badDraft.body.status.code).toBe(40001);
    expect(badDraft.body.status.message).toContain('numberRule.blocked');
    const monitor = await t.call({
      method: 'POST',
      url: '/admin/v1/queues/support/test-number',
      headers: as('Monitor'),
      payload: { phoneNumber: '+12125550100' },
    });
    expect(monitor.res.statusCode).toBe(403);
  });
  it('looks forward: next 24 hours, next 7 days and upcoming find what is still to come', async () => {
    // Thursday 09:00 in New York, tomorrow: outside every backward range by desired time.
    const tomorrow = '2026-11-26T14:00:00.000Z';
    const made = await create(
      { phoneNumber: '+13125550199', desiredTime: tomorrow, alwaysCheckCapacity: true },
      'Supervisor',
    );
    expect(made.body.data.state).toBe('SCHEDULED');
    const ids = async (range: string) =>
      (await list(`range=${range}&timeField=desired`)).body.data.items.map((c) => c.id);
    expect(await ids('7d')).not.toContain(made.body.data.id);
    expect(await ids('next24h')).toContain(made.body.data.id);
    expect(await ids('next7d')).toContain(made.body.data.id);
    expect(await ids('upcoming')).toContain(made.body.data.id);
    const next = await list('range=next24h&timeField=desired');
    // Earlier tests move the clock: the window starts at the server's now, 24 hours long.
    const { from, to } = next.body.data;
    expect(Date.parse(from)).toBe(t.clock.now());
    expect(Date.parse(to) - Date.parse(from)).toBe(24 * 3600_000);
  });

  it("tells the console the tenant's time zone with the session", async () => {
    const me = await t.call<{ timezone: string }>({
      method: 'GET',
      url: '/admin/v1/session',
      headers: as('Monitor'),
    });
    expect(me.body.data.timezone).toBe('America/New_York');
  });

  it('sorts the whole result by a column and pages through it in that order', async () => {
    const tenant = await t.tenant('cb-sort');
    const now = t.clock.now();
    // Ties in every column (three queues, five numbers, four attempt counts), so that pages
    // break inside runs of equal values and only the id tie-break keeps them apart.
    const rows = Array.from({ length: 23 }, (_, index) => ({
      ...waitingCallback({
        tenantId: tenant.id,
        serviceName: ['north', 'south', 'east'][index % 3] ?? 'north',
        index: index % 5,
        now: now - 3_600_000 + index * 1000,
        desiredTime: now + ((index * 7) % 5) * 3_600_000,
        state: index % 2 === 0 ? 'QUEUED' : 'SCHEDULED',
      }),
      attempts: index % 4,
    }));
    await seedCallbacks(t.services.store, rows);
    const search = async (q: string) => {
      const res = await t.call<Page>({
        method: 'GET',
        url: `/admin/v1/callbacks?range=24h&${q}`,
        headers: { cookie: tenant.cookies.Monitor },
      });
      expect(res.res.statusCode, JSON.stringify(res.body.status)).toBe(200);
      return res.body.data;
    };
    const value = (c: Summary, field: string) =>
      ({
        phone: c.phoneNumber,
        queue: c.serviceName,
        state: c.state,
        desired: c.desiredTime,
        attempts: c.attempts,
        created: c.createdAt,
      })[field] ?? '';
    for (const field of ['phone', 'queue', 'state', 'desired', 'attempts', 'created']) {
      for (const sort of [field, `-${field}`]) {
        const whole = (await search(`sort=${sort}&limit=200`)).items;
        expect(whole).toHaveLength(rows.length);
        const values = whole.map((c) => value(c, field));
        const ordered = [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        expect(values, sort).toEqual(sort.startsWith('-') ? ordered.reverse() : ordered);
        // Page by page with the cursor: the same callbacks in the same order, none twice.
        const paged: string[] = [];
        let before: string | undefined;
        do {
          const cursor = before === undefined ? '' : `&before=${before}`;
          const page = await search(`sort=${sort}&limit=5${cursor}`);
          paged.push(...page.items.map((c) => c.id));
          before = page.nextBefore;
        } while (before !== undefined);
        expect(paged, sort).toEqual(whole.map((c) => c.id));
      }
    }
    // A sort outside the allow-list, or a cursor of another order, is refused.
    const call = (q: string) =>
      t.call({
        method: 'GET',
        url: `/admin/v1/callbacks?range=24h&${q}`,
        headers: { cookie: tenant.cookies.Monitor },
      });
    expect((await call('sort=user_data')).body.status.code).toBe(40001);
    const byId = (await search('limit=2')).nextBefore ?? '';
    expect((await call(`sort=desired&before=${byId}`)).body.status.code).toBe(40001);
  }, 120_000);
});
