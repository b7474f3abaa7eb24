import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import {
  ISO_MS_Z,
  NEW_YORK_OFFICE,
  nycNumber,
  startBooking,
  type BookingHarness,
  type CallbackView as View,
} from './helpers.js';

// Wednesday 2026-11-25, 10:00 in New York (EST, UTC-5): the office is open.
const NOW = '2026-11-25T15:00:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(ms).toISOString();

describeEngines('POST /callbacks/create', (engine) => {
  let h: BookingHarness;
  const retrieve = (id: string) => h.engage<View>('POST', '/callbacks/retrieve', { id });
  const storedRow = (id: string) =>
    h.t.services.store.db.kysely
      .selectFrom('callbacks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'support', ...NEW_YORK_OFFICE });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.t.clock.set(NOW));

  it('books an immediate callback: QUEUED, desired now, GES envelope and correlation ID', async () => {
    const { res, body } = await h.book({ serviceName: 'support', phoneNumber: '+12125550100' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(body.status).toEqual({
      code: 0,
      message: 'Successful',
      corrId: res.headers['x-correlation-id'],
    });
    expect(body.status.corrId).not.toBe('');
    expect(Object.keys(body.data)).toEqual(['id']);
    expect(typeof body.data.id).toBe('string');

    const view = await retrieve(body.data.id);
    expect(view.body.data).toMatchObject({
      id: body.data.id,
      serviceName: 'support',
      desiredTime: NOW,
      callbackState: 'QUEUED',
      phoneNumber: '+12125550100',
    });
    expect(view.body.data.desiredTime).toMatch(ISO_MS_Z);
  });

  it('reuses a correlation ID the client sends, in header and body', async () => {
    const { res, body } = await h.engage(
      'POST',
      '/callbacks/create',
      { serviceName: 'support', phoneNumber: '+12125550101' },
      { 'x-correlation-id': 'client-trace-42' },
    );
    expect(res.headers['x-correlation-id']).toBe('client-trace-42');
    expect(body.status.corrId).toBe('client-trace-42');
  });

  it('books a scheduled callback: SCHEDULED, desiredTime normalised to UTC with milliseconds', async () => {
    const id = await h.bookOk({
      serviceName: 'support',
      phoneNumber: '+12125550102',
      desiredTime: '2026-11-26T10:00:00-05:00',
    });
    const view = await retrieve(id);
    expect(view.body.data).toMatchObject({
      callbackState: 'SCHEDULED',
      desiredTime: '2026-11-26T15:00:00.000Z',
    });
    expect(view.body.data).not.toHaveProperty('positionInQueue');
    expect(view.body.data).not.toHaveProperty('estimatedWaitTime');
    const row = await storedRow(id);
    expect(JSON.parse(row.details)).toMatchObject({ cbOfferType: 'SCHEDULED', language: 'en-US' });
  });

  it('keeps the reporting fields of the request', async () => {
    const id = await h.bookOk({
      serviceName: 'support',
      phoneNumber: '+12125550103',
      cbOfferType: 'COMBINED_SCHEDULED_AND_ASAP',
      language: 'fr-CA',
      channel: 'web',
      offerTiming: 'ON-HOURS',
      priority: 7,
      pushChannel: 'fcm',
      pushTarget: 'device-token',
    });
    const row = await storedRow(id);
    expect(row.priority).toBe(7);
    expect(JSON.parse(row.details)).toMatchObject({
      cbOfferType: 'COMBINED_SCHEDULED_AND_ASAP',
      language: 'fr-CA',
      channel: 'web',
      offerTiming: 'ON-HOURS',
      pushTargets: [{ channel: 'fcm', target: 'device-token' }],
    });
  });

  it('books regardless of office hours and of the immediate/scheduled enabled flags', async () => {
    await h.createQueue({
      name: 'switched-off',
      ...NEW_YORK_OFFICE,
      immediateEnabled: false,
      scheduledEnabled: false,
    });
    // Saturday 2026-11-28, 23:00 in New York: closed, and both offers are switched off.
    h.t.clock.set('2026-11-29T04:00:00.000Z');
    const status = await h.engage('GET', '/callbacks/queue-status/switched-off');
    expect(status.body.data).toMatchObject({
      offerImmediateCallback: false,
      offerScheduledCallback: false,
    });
    const immediate = await h.bookOk({ serviceName: 'switched-off', phoneNumber: '+12125550104' });
    // Christmas Day is a closed special day; without a capacity check it is still booked.
    const scheduled = await h.bookOk({
      serviceName: 'switched-off',
      phoneNumber: '+12125550105',
      desiredTime: '2026-12-25T15:00:00.000Z',
    });
    expect((await retrieve(immediate)).body.data.callbackState).toBe('QUEUED');
    expect((await retrieve(scheduled)).body.data.callbackState).toBe('SCHEDULED');
  });

  it('stores the E.164 form of any way of writing the number', async () => {
    const id = await h.bookOk({ serviceName: 'support', phoneNumber: ' (212) 555-0106 ' });
    expect((await retrieve(id)).body.data.phoneNumber).toBe('+12125550106');
    await h.createQueue({ name: 'berlin', numberRule: { defaultCountry: 'DE' } });
    const de = await h.bookOk({ serviceName: 'berlin', phoneNumber: '030 12345678' });
    expect((await retrieve(de)).body.data.phoneNumber).toBe('+493012345678');
  });

  it.each([
    ['text', 'hello', /"hello" is not a valid number/],
    ['a number too short', '+12125551', /too short/],
    ['an unassigned number', '+447700900123', /"\+447700900123"/],
    ['an extension', '+12125550107 ext. 12', /extension/],
  ])('refuses %s with 40003, storing nothing', async (_what, phoneNumber, message) => {
    const before = await h.stored();
    await h.expectError(await h.book({ serviceName: 'support', phoneNumber }), 400, 40003, message);
    expect(await h.stored()).toEqual(before);
  });

  it('refuses premium, non-permitted and blocked numbers with 40004', async () => {
    await h.createQueue({
      name: 'us-only',
      numberRule: { permittedCountries: ['US', 'CA'], blocked: ['^\\+1212555019\\d$'] },
    });
    const before = await h.stored();
    const cases: [string, RegExp][] = [
      ['+19005550100', /premium-rate/],
      ['+442079460000', /belongs to GB; this queue accepts US, CA/],
      ['+12125550195', /blocked pattern/],
    ];
    for (const [phoneNumber, message] of cases) {
      await h.expectError(
        await h.book({ serviceName: 'us-only', phoneNumber }),
        400,
        40004,
        message,
      );
    }
    expect(await h.stored()).toEqual(before);
    await h.bookOk({ serviceName: 'us-only', phoneNumber: '+12125550189' });
  });

  it('throttles a number per local day (42902), also counting cancelled callbacks', async () => {
    await h.createQueue({
      name: 'throttled',
      timezone: 'America/New_York',
      throttlePerNumberPerDay: 2,
      duplicateCheck: 'off',
    });
    const phoneNumber = '+12125550110';
    const first = await h.bookOk({ serviceName: 'throttled', phoneNumber });
    await h.engage('POST', '/callbacks/cancel', { id: first });
    await h.bookOk({ serviceName: 'throttled', phoneNumber: '212-555-0110' });
    await h.expectError(
      await h.book({ serviceName: 'throttled', phoneNumber }),
      429,
      42902,
      /\+12125550110 already has 2 callbacks today in "throttled" \(limit 2\)/,
    );
    // Another number is not affected.
    await h.bookOk({ serviceName: 'throttled', phoneNumber: '+12125550111' });
    // 23:59 New York time is still the same day; one minute later is the next.
    h.t.clock.set('2026-11-26T04:59:00.000Z');
    expect((await h.book({ serviceName: 'throttled', phoneNumber })).body.status.code).toBe(42902);
    h.t.clock.set('2026-11-26T05:00:00.000Z');
    await h.bookOk({ serviceName: 'throttled', phoneNumber });
  });

  it('duplicate check lenient: a third active callback of a number is refused with 40901', async () => {
    await h.createQueue({ name: 'lenient', duplicateCheck: 'lenient' });
    const phoneNumber = '+12125550120';
    const first = await h.bookOk({ serviceName: 'lenient', phoneNumber });
    await h.bookOk({
      serviceName: 'lenient',
      phoneNumber,
      desiredTime: at(Date.parse(NOW) + DAY),
    });
    const before = await h.stored();
    await h.expectError(
      await h.book({ serviceName: 'lenient', phoneNumber }),
      409,
      40901,
      /\+12125550120 already has 2 active callbacks in "lenient"/,
    );
    expect(await h.stored()).toEqual(before);
    // A cancelled callback no longer counts.
    await h.engage('POST', '/callbacks/cancel', { id: first });
    await h.bookOk({ serviceName: 'lenient', phoneNumber });
  });

  it('duplicate check strict: a second active callback is refused; off: never', async () => {
    await h.createQueue({ name: 'strict', duplicateCheck: 'strict' });
    await h.createQueue({ name: 'no-check', duplicateCheck: 'off' });
    const phoneNumber = '+12125550121';
    await h.bookOk({ serviceName: 'strict', phoneNumber });
    await h.expectError(
      await h.book({ serviceName: 'strict', phoneNumber }),
      409,
      40901,
      /already has 1 active callback in "strict"/,
    );
    for (let i = 0; i < 4; i++) await h.bookOk({ serviceName: 'no-check', phoneNumber });
  });

  it('refuses an immediate callback beyond maxQueuedImmediate with 42903; scheduled ones still book', async () => {
    await h.createQueue({ name: 'small', maxQueuedImmediate: 2 });
    await h.bookOk({ serviceName: 'small', phoneNumber: nycNumber(30) });
    const second = await h.bookOk({ serviceName: 'small', phoneNumber: nycNumber(31) });
    await h.expectError(
      await h.book({ serviceName: 'small', phoneNumber: nycNumber(32) }),
      429,
      42903,
      /"small" has too many waiting callbacks/,
    );
    await h.bookOk({
      serviceName: 'small',
      phoneNumber: nycNumber(32),
      desiredTime: at(Date.parse(NOW) + HOUR),
    });
    await h.engage('POST', '/callbacks/cancel', { id: second });
    await h.bookOk({ serviceName: 'small', phoneNumber: nycNumber(33) });
  });

  it('maxQueuedImmediate counts every active immediate callback, those between attempts too, and follows setting changes', async () => {
    await h.createQueue({
      name: 'tight',
      maxQueuedImmediate: 2,
      duplicateCheck: 'off',
      retryDelaySeconds: 600,
    });
    const full = async (phone: number) =>
      h.expectError(
        await h.book({ serviceName: 'tight', phoneNumber: nycNumber(phone) }),
        429,
        42903,
        /"tight" has too many waiting callbacks/,
      );
    const { dispatch } = h.t.services;
    const first = await h.bookOk({ serviceName: 'tight', phoneNumber: nycNumber(40) });
    await h.bookOk({ serviceName: 'tight', phoneNumber: nycNumber(41) });
    await full(42);
    // The first one is called, nobody answers: it waits for its retry and keeps its place.
    const claimed = await dispatch.claim(h.tenant.id, ['tight'], 'dialer-1', 60);
    expect(claimed?.id).toBe(first);
    await dispatch.finish(h.tenant.id, first, 'dialer-1', 'NO_ANSWER');
    expect((await storedRow(first)).state).toBe('SCHEDULED');
    await full(42);
    // Connected on the retry: its place is free again.
    h.t.clock.set(at(Date.parse(NOW) + 11 * 60_000));
    await h.t.services.lifecycle.promoteDue(h.t.clock.now());
    await dispatch.claim(h.tenant.id, ['tight'], 'dialer-1', 60);
    await dispatch.finish(h.tenant.id, first, 'dialer-1', 'AGENT_CONNECTED');
    await h.bookOk({ serviceName: 'tight', phoneNumber: nycNumber(42) });
    await full(43);
    // A higher limit takes effect at once, and so does a lower one.
    expect(
      (await h.admin('PATCH', '/queues/tight', { maxQueuedImmediate: 3 })).res.statusCode,
    ).toBe(200);
    await h.bookOk({ serviceName: 'tight', phoneNumber: nycNumber(43) });
    await full(44);
    expect(
      (await h.admin('PATCH', '/queues/tight', { maxQueuedImmediate: 1 })).res.statusCode,
    ).toBe(200);
    await full(44);
  });

  it('a callback moved to now takes an immediate place that later bookings see', async () => {
    await h.createQueue({ name: 'pair', maxQueuedImmediate: 2, duplicateCheck: 'off' });
    await h.bookOk({ serviceName: 'pair', phoneNumber: nycNumber(50) });
    const later = await h.bookOk({
      serviceName: 'pair',
      phoneNumber: nycNumber(51),
      desiredTime: at(Date.parse(NOW) + HOUR),
    });
    const moved = await h.engage('POST', '/callbacks/reschedule', { id: later, desiredTime: NOW });
    expect(moved.res.statusCode, JSON.stringify(moved.body.status)).toBe(200);
    await h.expectError(
      await h.book({ serviceName: 'pair', phoneNumber: nycNumber(52) }),
      429,
      42903,
      /"pair" has too many waiting callbacks/,
    );
  });

  it('refuses a desiredTime too far ahead or in the past with 40001', async () => {
    const now = Date.parse(NOW);
    const before = await h.stored();
    await h.expectError(
      await h.book({
        serviceName: 'support',
        phoneNumber: nycNumber(40),
        desiredTime: at(now + 30 * DAY + 60_000),
      }),
      400,
      40001,
      /more than 30 days ahead/,
    );
    await h.expectError(
      await h.book({
        serviceName: 'support',
        phoneNumber: nycNumber(40),
        desiredTime: at(now - HOUR),
      }),
      400,
      40001,
      /in the past/,
    );
    await h.expectError(
      await h.book({ serviceName: 'support', phoneNumber: nycNumber(40), desiredTime: 'tomorrow' }),
      400,
      40001,
      /desiredTime.*not an ISO 8601 date-time/,
    );
    await h.expectError(
      await h.book({
        serviceName: 'support',
        phoneNumber: nycNumber(40),
        desiredTime: '2026-11-26T10:00:00',
      }),
      400,
      40001,
      /desiredTime.*with "Z" or an offset/,
    );
    expect(await h.stored()).toEqual(before);
    // Exactly 30 days ahead is allowed; a minute in the past (slow client) counts as now.
    await h.bookOk({
      serviceName: 'support',
      phoneNumber: nycNumber(41),
      desiredTime: at(now + 30 * DAY),
    });
    const late = await h.bookOk({
      serviceName: 'support',
      phoneNumber: nycNumber(42),
      desiredTime: at(now - 60_000),
    });
    expect((await retrieve(late)).body.data).toMatchObject({
      callbackState: 'QUEUED',
      desiredTime: NOW,
    });
  });

  it('keeps only identifier keys of userData, as strings', async () => {
    const id = await h.bookOk({
      serviceName: 'support',
      phoneNumber: nycNumber(50),
      userData: {
        orderId: 'A-17',
        $ref: 'x',
        _private: 'y',
        'bad-key': 'dropped',
        '1st': 'dropped',
        'two words': 'dropped',
        count: 3,
        vip: true,
      },
    });
    const row = await storedRow(id);
    expect(JSON.parse(row.user_data)).toEqual({
      orderId: 'A-17',
      $ref: 'x',
      _private: 'y',
      count: '3',
      vip: 'true',
    });
  });

  it('refuses userData that is too large or not strings with 40001, and never logs it', async () => {
    const before = await h.stored();
    const huge: Record<string, string> = {};
    for (let i = 0; i < 20; i++) huge[`field${i}`] = 'x'.repeat(1000);
    await h.expectError(
      await h.book({ serviceName: 'support', phoneNumber: nycNumber(51), userData: huge }),
      400,
      40001,
      /userData may be at most 16384 bytes/,
    );
    const many: Record<string, string> = {};
    for (let i = 0; i < 101; i++) many[`k${i}`] = 'v';
    await h.expectError(
      await h.book({ serviceName: 'support', phoneNumber: nycNumber(51), userData: many }),
      400,
      40001,
      /at most 100 keys/,
    );
    const nested = await h.book({
      serviceName: 'support',
      phoneNumber: nycNumber(51),
      userData: { address: { street: 'Secret Lane 1' } },
    });
    await h.expectError(nested, 400, 40001, /userData\.address must be a string/);
    expect(await h.stored()).toEqual(before);

    const list = await h.admin<{ items: { id: string }[] }>(
      'GET',
      `/errors?corrId=${nested.body.status.corrId}`,
    );
    const entry = list.body.data.items[0];
    expect(entry).toBeDefined();
    const detail = await h.admin('GET', `/errors/${entry?.id ?? ''}`);
    expect(JSON.stringify(detail.body.data)).not.toContain('Secret Lane');
    expect(JSON.stringify(detail.body.data)).not.toContain(h.tenant.keys.engagement);
  });

  describe('slot capacity on create', () => {
    // A 30-minute grid with 2 places per slot; Thursday 2026-11-26 09:00–17:00 New York.
    const SLOT = '2026-11-26T15:00:00.000Z'; // 10:00 New York
    const checked = { serviceName: 'cap', alwaysCheckCapacity: true };

    it('alwaysCheckCapacity refuses a full slot with 429/42901 and the nearest free slots', async () => {
      await h.createQueue({
        name: 'cap',
        ...NEW_YORK_OFFICE,
        slotDurationMinutes: 30,
        slotCapacity: 2,
      });
      // Any instant inside the slot books into it.
      await h.bookOk({ ...checked, phoneNumber: nycNumber(60), desiredTime: SLOT });
      await h.bookOk({
        ...checked,
        phoneNumber: nycNumber(61),
        desiredTime: '2026-11-26T15:20:00.000Z',
      });
      // Fill the slot after it too, so the nearest free ones are on both sides further out.
      await h.bookOk({
        ...checked,
        phoneNumber: nycNumber(62),
        desiredTime: '2026-11-26T15:30:00.000Z',
      });
      await h.bookOk({
        ...checked,
        phoneNumber: nycNumber(63),
        desiredTime: '2026-11-26T15:30:00.000Z',
      });
      const before = await h.stored();
      const refused = await h.book({ ...checked, phoneNumber: nycNumber(64), desiredTime: SLOT });
      await h.expectError(refused, 429, 42901, /slot is full/);
      expect(await h.stored()).toEqual(before);
      const { proposals: slots } = refused.body.data as unknown as {
        proposals: { utcTime: string; capacity: number; total: number }[];
      };
      expect(slots.map((s) => s.utcTime)).toEqual([
        '2026-11-26T14:00:00.000Z',
        '2026-11-26T14:30:00.000Z',
        '2026-11-26T16:00:00.000Z',
        '2026-11-26T16:30:00.000Z',
        '2026-11-26T17:00:00.000Z',
      ]);
      for (const s of slots) {
        expect(Object.keys(s)).toEqual(['utcTime', 'capacity', 'total']);
        expect(s).toMatchObject({ capacity: 2, total: 2 });
        expect(s.utcTime).toMatch(ISO_MS_Z);
      }
    });

    it('without the flag a full slot is booked anyway (GES default: no capacity check)', async () => {
      await h.createQueue({
        name: 'unchecked',
        ...NEW_YORK_OFFICE,
        slotDurationMinutes: 30,
        slotCapacity: 1,
      });
      await h.bookOk({ serviceName: 'unchecked', phoneNumber: nycNumber(65), desiredTime: SLOT });
      // The premise: with the flag, this slot is full.
      await h.expectError(
        await h.book({
          serviceName: 'unchecked',
          alwaysCheckCapacity: true,
          phoneNumber: nycNumber(67),
          desiredTime: SLOT,
        }),
        429,
        42901,
        /slot is full/,
      );
      await h.bookOk({ serviceName: 'unchecked', phoneNumber: nycNumber(67), desiredTime: SLOT });
    });

    it('refuses a time outside every slot with 42901 and proposes open slots', async () => {
      const refused = await h.book({
        ...checked,
        phoneNumber: nycNumber(66),
        desiredTime: '2026-11-27T02:00:00.000Z',
      });
      await h.expectError(refused, 429, 42901, /not in an open slot/);
      const { proposals: slots } = refused.body.data as unknown as {
        proposals: { utcTime: string }[];
      };
      // Thursday's last slots (until 17:00 New York) are nearer than Friday 09:00.
      expect(slots.map((s) => s.utcTime)).toEqual([
        '2026-11-26T19:30:00.000Z',
        '2026-11-26T20:00:00.000Z',
        '2026-11-26T20:30:00.000Z',
        '2026-11-26T21:00:00.000Z',
        '2026-11-26T21:30:00.000Z',
      ]);
    });

    it('enforceCapacityOnCreate refuses a full slot without the flag; a cancellation frees the place', async () => {
      await h.createQueue({
        name: 'enforced',
        ...NEW_YORK_OFFICE,
        slotDurationMinutes: 60,
        slotCapacity: 1,
        enforceCapacityOnCreate: true,
      });
      const first = await h.bookOk({
        serviceName: 'enforced',
        phoneNumber: nycNumber(70),
        desiredTime: SLOT,
      });
      await h.expectError(
        await h.book({ serviceName: 'enforced', phoneNumber: nycNumber(71), desiredTime: SLOT }),
        429,
        42901,
        /slot is full/,
      );
      await h.engage('POST', '/callbacks/cancel', { id: first });
      await h.bookOk({ serviceName: 'enforced', phoneNumber: nycNumber(71), desiredTime: SLOT });
      // Immediate callbacks take no slot.
      await h.bookOk({ serviceName: 'enforced', phoneNumber: nycNumber(72) });
    });
  });
});
