import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { NEW_YORK_OFFICE, startBooking, type BookingHarness } from './helpers.js';

describeEngines('queues through the admin API', (engine) => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking(engine);
  });
  afterAll(async () => h.close());

  it('creates a queue with the SPEC defaults filled in and reads it back', async () => {
    const created = await h.admin('POST', '/queues', { name: 'support', ...NEW_YORK_OFFICE });
    expect(created.res.statusCode).toBe(200);
    expect(created.body.status).toMatchObject({ code: 0, message: 'Successful' });
    const defaults = {
      name: 'support',
      timezone: 'America/New_York',
      immediateEnabled: true,
      scheduledEnabled: true,
      slotDurationMinutes: 15,
      slotCapacity: 10,
      immediateBlackoutMinutes: 30,
      enforceCapacityOnCreate: false,
      duplicateCheck: 'lenient',
      throttlePerNumberPerDay: 6,
      maxQueuedImmediate: 1000,
      maxScheduleAheadDays: 30,
      numberRule: { defaultCountry: 'US', permittedCountries: [], blocked: [] },
      maxAttempts: 3,
      retryDelaySeconds: 300,
      ttlSeconds: 86400,
      purge: { atEndOfBusinessDay: true, afterMinutes: null },
      pushThresholdMinutes: 5,
      priority: 0,
      retentionDays: 30,
    };
    expect(created.body.data).toMatchObject(defaults);
    const read = await h.admin('GET', '/queues/support');
    expect(read.body.data).toEqual(created.body.data);
    const list = await h.admin<{ items: { name: string }[] }>('GET', '/queues');
    expect(list.body.data.items.map((q) => q.name)).toContain('support');
  });

  it("takes the tenant's time zone when none is given", async () => {
    const created = await h.admin('POST', '/queues', { name: 'tz-default' });
    expect(created.body.data.timezone).toBe('America/New_York');
  });

  it('refuses a second queue of the same name with 40903', async () => {
    await h.createQueue({ name: 'twice' });
    const again = await h.admin('POST', '/queues', { name: 'twice' });
    expect(again.res.statusCode).toBe(409);
    expect(again.body.status.code).toBe(40903);
    expect(again.body.status.message).toMatch(/"twice" already exists/);
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, /timezone.*Mars\/Olympus_Mons/],
    ['a fixed offset as time zone', { timezone: '+02:00' }, /timezone/],
    ['a slot of 4 minutes', { slotDurationMinutes: 4 }, /slotDurationMinutes/],
    ['a slot of 121 minutes', { slotDurationMinutes: 121 }, /slotDurationMinutes/],
    ['a fractional slot', { slotDurationMinutes: 15.5 }, /slotDurationMinutes/],
    [
      'an invalid blocked pattern',
      { numberRule: { blocked: ['^+1(900'] } },
      /numberRule\.blocked\[0\].*not a blocked-number pattern/,
    ],
    [
      'an unknown permitted country',
      { numberRule: { permittedCountries: ['XX'] } },
      /numberRule\.permittedCountries\[0\]/,
    ],
    [
      'an interval ending where it starts',
      { businessHours: { weekly: { mon: [['09:00', '09:00']] } } },
      /businessHours\.weekly\.mon\[0\].*end equals start/,
    ],
    [
      'a time that is not HH:MM',
      { businessHours: { weekly: { mon: [['9am', '17:00']] } } },
      /businessHours\.weekly\.mon\[0\]\[0\].*HH:MM/,
    ],
    [
      'overlapping intervals',
      {
        businessHours: {
          weekly: {
            tue: [
              ['09:00', '12:00'],
              ['11:00', '13:00'],
            ],
          },
        },
      },
      /businessHours\.weekly\.tue\[1\].*overlaps/,
    ],
    [
      'an unknown weekday',
      { businessHours: { weekly: { funday: [['09:00', '17:00']] } } },
      /businessHours\.weekly\.funday: unknown field/,
    ],
    [
      'an impossible special date',
      { businessHours: { weekly: {}, special: [{ date: '2026-02-30', hours: [] }] } },
      /special\[0\]\.date/,
    ],
    ['an unknown duplicate check', { duplicateCheck: 'sometimes' }, /duplicateCheck/],
    ['an unknown setting', { colour: 'blue' }, /colour/],
    ['a name with spaces', { name: 'two words' }, /name/],
  ])('refuses %s with 40001 naming the field', async (_what, bad, message) => {
    const { res, body } = await h.admin('POST', '/queues', { name: 'bad-queue', ...bad });
    expect(res.statusCode).toBe(400);
    expect(body.status.code).toBe(40001);
    expect(body.status.message).toMatch(message);
    const stored = await h.admin('GET', '/queues/bad-queue');
    expect(stored.res.statusCode).toBe(404);
  });

  it('names every bad field of one document at once', async () => {
    const { body } = await h.admin('POST', '/queues', {
      name: 'many-faults',
      timezone: 'Nowhere/Land',
      slotDurationMinutes: 200,
    });
    expect(body.status.message).toMatch(/timezone/);
    expect(body.status.message).toMatch(/slotDurationMinutes/);
  });

  it('a malformed JSON body is 40006, not 500', async () => {
    const { res, body } = await h.t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: h.tenant.cookies.Administrator, 'content-type': 'application/json' },
      payload: '{"name": "half',
    });
    expect(res.statusCode).toBe(400);
    expect(body.status.code).toBe(40006);
  });

  it('patches some settings, keeps the others, and validates the result', async () => {
    await h.createQueue({ name: 'patched', ...NEW_YORK_OFFICE, slotCapacity: 3 });
    const patched = await h.admin('PATCH', '/queues/patched', {
      slotDurationMinutes: 30,
      businessHours: null,
    });
    expect(patched.res.statusCode).toBe(200);
    expect(patched.body.data).toMatchObject({ slotDurationMinutes: 30, slotCapacity: 3 });
    expect(patched.body.data).not.toHaveProperty('businessHours');

    const bad = await h.admin('PATCH', '/queues/patched', { slotDurationMinutes: 150 });
    expect(bad.res.statusCode).toBe(400);
    expect(bad.body.status.message).toMatch(/slotDurationMinutes/);
    const rename = await h.admin('PATCH', '/queues/patched', { name: 'other' });
    expect(rename.body.status.code).toBe(40001);
    const after = await h.admin('GET', '/queues/patched');
    expect(after.body.data).toMatchObject({ name: 'patched', slotDurationMinutes: 30 });
  });

  it('a patch is seen by the Engagement API at once (no stale settings)', async () => {
    await h.createQueue({ name: 'toggled', immediateEnabled: true });
    const before = await h.engage('GET', '/callbacks/open-for/toggled?checkImmediateEnabled=true');
    expect(before.body.data.isImmediateEnabled).toBe(true);
    await h.admin('PATCH', '/queues/toggled', { immediateEnabled: false });
    const after = await h.engage('GET', '/callbacks/open-for/toggled?checkImmediateEnabled=true');
    expect(after.body.data.isImmediateEnabled).toBe(false);
  });

  it('keeps one settings object while the stored settings are unchanged, and reads a change made elsewhere once the cache expires', async () => {
    await h.createQueue({ name: 'steady', slotCapacity: 4 });
    const { queues, store } = h.t.services;
    const first = await queues.get(h.tenant.id, 'steady');
    h.t.clock.advance(60_000);
    // Reloaded and found unchanged: the same object, so what was derived from it stays valid.
    expect(await queues.get(h.tenant.id, 'steady')).toBe(first);
    // A change written by another process (the CLI), which this node is not told of.
    await store.queues.upsert({
      tenant_id: h.tenant.id,
      name: 'steady',
      settings: JSON.stringify({ ...first, slotCapacity: 9 }),
      source: 'cli',
      now: h.t.clock.now(),
    });
    h.t.clock.advance(60_000);
    const changed = await queues.get(h.tenant.id, 'steady');
    expect(changed).not.toBe(first);
    expect(changed.slotCapacity).toBe(9);
  });

  it('deletes a queue: it is gone from the admin API and the Engagement API answers 40402', async () => {
    await h.createQueue({ name: 'short-lived' });
    const deleted = await h.admin('DELETE', '/queues/short-lived');
    expect(deleted.body.data).toEqual({ name: 'short-lived', deleted: true });
    const read = await h.admin('GET', '/queues/short-lived');
    expect(read.res.statusCode).toBe(404);
    expect(read.body.status.code).toBe(40402);
    const booked = await h.book({ serviceName: 'short-lived', phoneNumber: '+12125550100' });
    await h.expectError(booked, 404, 40402, /"short-lived" not found/);
    const again = await h.admin('DELETE', '/queues/short-lived');
    expect(again.body.status.code).toBe(40402);
  });

  it('records queue changes in the audit log', async () => {
    await h.createQueue({ name: 'audited' });
    const entries = await h.t.services.store.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'target'])
      .where('tenant_id', '=', h.tenant.id)
      .where('target', '=', 'audited')
      .execute();
    expect(entries.map((e) => e.action)).toContain('queue.create');
  });
});
