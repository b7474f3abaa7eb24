import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import {
  ISO_MS_Z,
  NEW_YORK_OFFICE,
  nycNumber,
  startBooking,
  type Availability,
  type BookingHarness,
} from './helpers.js';

// Wednesday 2026-11-25, 10:05 in New York: the 10:00 slot has started and is no longer offered.
const NOW = '2026-11-25T15:05:00.000Z';

describeEngines('GET /callbacks/availability/{service-name}', (engine) => {
  let h: BookingHarness;
  const availability = (service: string, query = '') =>
    h.engage<Availability>('GET', `/callbacks/availability/${service}${query}`);
  const utcTimes = async (service: string, query: string) =>
    (await availability(service, query)).body.data.slots.map((s) => s.utcTime);

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({
      name: 'ny',
      ...NEW_YORK_OFFICE,
      slotDurationMinutes: 60,
      slotCapacity: 2,
    });
    // Open 00:00–03:00 every night: the night the clocks change is two or four real hours long.
    const nightly = [['00:00', '03:00']];
    await h.createQueue({
      name: 'night',
      timezone: 'America/New_York',
      slotDurationMinutes: 30,
      businessHours: {
        weekly: Object.fromEntries(
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, nightly]),
        ),
      },
    });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.t.clock.set(NOW));

  it("by default lists the rest of the office's day, localTime in UTC as GES, fields as GES", async () => {
    const { res, body } = await availability('ny');
    expect(res.statusCode).toBe(200);
    expect(body.status).toMatchObject({ code: 0, message: 'Successful' });
    // GES's fields, then the queue's own zone (ours; the clients' models ignore it).
    expect(Object.keys(body.data)).toEqual(['slots', 'durationMin', 'timezone', 'serviceTimezone']);
    expect(body.data.serviceTimezone).toBe('America/New_York');
    expect(body.data.durationMin).toBe(60);
    // GES: without `timezone`, localTime is written in UTC.
    expect(body.data.timezone).toBe('UTC');
    expect(body.data.slots[0]).toEqual({
      utcTime: '2026-11-25T16:00:00.000Z',
      localTime: '2026-11-25T16:00:00.000+00:00',
      capacity: 2,
      total: 2,
    });
    // 11:00 to 16:00 in New York: the rest of the office's day.
    expect(body.data.slots.map((s) => s.localTime.slice(11, 16))).toEqual([
      '16:00',
      '17:00',
      '18:00',
      '19:00',
      '20:00',
      '21:00',
    ]);
    for (const s of body.data.slots) expect(s.utcTime).toMatch(ISO_MS_Z);
  });

  it('writes localTime in the zone asked for, and ends "today" in that zone', async () => {
    const { body } = await availability('ny', '?timezone=Asia/Kolkata');
    expect(body.data.timezone).toBe('Asia/Kolkata');
    // The day in Kolkata ends at 18:30 UTC, so the New York afternoon after that is not listed.
    expect(body.data.slots).toEqual([
      expect.objectContaining({
        utcTime: '2026-11-25T16:00:00.000Z',
        localTime: '2026-11-25T21:30:00.000+05:30',
      }),
      expect.objectContaining({ utcTime: '2026-11-25T17:00:00.000Z' }),
      expect.objectContaining({ utcTime: '2026-11-25T18:00:00.000Z' }),
    ]);
  });

  it('lists a week in another time zone: business days only, special days honoured', async () => {
    const { body } = await availability('ny', '?numberOfDays=7&timezone=Europe/Berlin');
    const slots = body.data.slots;
    // Wed from 11:00 (6), Thu, Fri, Mon, Tue (8 each), next Wed 09:00 and 10:00 (start + 7 days).
    expect(slots).toHaveLength(40);
    expect(slots[0]?.localTime).toBe('2026-11-25T17:00:00.000+01:00');
    expect(slots.at(-1)?.utcTime).toBe('2026-12-02T15:00:00.000Z');
    const days = new Set(slots.map((s) => new Date(s.utcTime).getUTCDay()));
    expect(days.has(0) || days.has(6)).toBe(false);
    expect(new Set(slots.map((s) => s.utcTime)).size).toBe(slots.length);

    const christmas = await utcTimes('ny', '?start=2026-12-24T00:00:00-05:00&numberOfDays=2');
    expect(christmas).toEqual([
      '2026-12-24T14:00:00.000Z',
      '2026-12-24T15:00:00.000Z',
      '2026-12-24T16:00:00.000Z',
    ]);
  });

  it('takes start/end as ISO or as epoch milliseconds, with the same answer', async () => {
    const start = Date.parse('2026-11-30T14:00:00.000Z');
    const end = Date.parse('2026-11-30T17:00:00.000Z');
    const expected = [
      '2026-11-30T14:00:00.000Z',
      '2026-11-30T15:00:00.000Z',
      '2026-11-30T16:00:00.000Z',
    ];
    expect(
      await utcTimes('ny', `?start=2026-11-30T09:00:00-05:00&end=2026-11-30T12:00:00-05:00`),
    ).toEqual(expected);
    expect(await utcTimes('ny', `?startMS=${start}&endMS=${end}`)).toEqual(expected);
    expect(await utcTimes('ny', `?startMS=${start}&end=2026-11-30T17:00:00.000Z`)).toEqual(
      expected,
    );
    // A start in the past still only offers slots after now.
    expect(
      await utcTimes(
        'ny',
        `?start=2026-11-20T00:00:00Z&endMS=${Date.parse('2026-11-25T17:00:00Z')}`,
      ),
    ).toEqual(['2026-11-25T16:00:00.000Z']);
  });

  it('stops at maxTimeSlots', async () => {
    expect(await utcTimes('ny', '?numberOfDays=3&maxTimeSlots=2')).toEqual([
      '2026-11-25T16:00:00.000Z',
      '2026-11-25T17:00:00.000Z',
    ]);
  });

  it('counts only active callbacks: a full slot disappears, reportBusy shows it, a cancellation frees it', async () => {
    const slot = '2026-11-26T16:00:00.000Z'; // Thursday 11:00 New York
    const query = `?start=${slot}&end=2026-11-26T17:00:00.000Z`;
    const first = await h.bookOk({
      serviceName: 'ny',
      phoneNumber: nycNumber(1),
      desiredTime: slot,
    });
    expect((await availability('ny', query)).body.data.slots).toEqual([
      expect.objectContaining({ utcTime: slot, capacity: 1, total: 2 }),
    ]);
    await h.bookOk({
      serviceName: 'ny',
      phoneNumber: nycNumber(2),
      desiredTime: '2026-11-26T16:59:00.000Z',
    });
    expect((await availability('ny', query)).body.data.slots).toEqual([]);
    expect((await availability('ny', `${query}&reportBusy=true`)).body.data.slots).toEqual([
      expect.objectContaining({ utcTime: slot, capacity: 0, total: 2 }),
    ]);
    await h.engage('POST', '/callbacks/cancel', { id: first });
    expect((await availability('ny', query)).body.data.slots).toEqual([
      expect.objectContaining({ utcTime: slot, capacity: 1, total: 2 }),
    ]);
    // Immediate callbacks take no slot.
    await h.bookOk({ serviceName: 'ny', phoneNumber: nycNumber(3) });
    expect((await availability('ny', query)).body.data.slots[0]?.capacity).toBe(1);
  });

  it('on the night the clocks go back, 00:00–03:00 is four real hours of distinct slots', async () => {
    h.t.clock.set('2026-10-25T12:00:00.000Z');
    const { body } = await availability(
      'night',
      '?start=2026-11-01T00:00:00-04:00&end=2026-11-01T12:00:00Z&timezone=America/New_York',
    );
    const slots = body.data.slots;
    expect(slots).toHaveLength(8);
    expect(new Set(slots.map((s) => s.utcTime)).size).toBe(8);
    expect(slots[0]?.utcTime).toBe('2026-11-01T04:00:00.000Z');
    expect(slots.at(-1)?.utcTime).toBe('2026-11-01T07:30:00.000Z');
    // 01:00 and 01:30 happen twice, once in each offset.
    expect(slots.map((s) => s.localTime)).toContain('2026-11-01T01:30:00.000-04:00');
    expect(slots.map((s) => s.localTime)).toContain('2026-11-01T01:30:00.000-05:00');
  });

  it('on the night the clocks go forward, 00:00–03:00 is two real hours', async () => {
    h.t.clock.set('2026-03-01T12:00:00.000Z');
    const { body } = await availability(
      'night',
      '?start=2026-03-08T00:00:00-05:00&end=2026-03-08T12:00:00Z&timezone=America/New_York',
    );
    expect(body.data.slots.map((s) => s.localTime)).toEqual([
      '2026-03-08T00:00:00.000-05:00',
      '2026-03-08T00:30:00.000-05:00',
      '2026-03-08T01:00:00.000-05:00',
      '2026-03-08T01:30:00.000-05:00',
    ]);
  });

  it('numberOfDays counts calendar days in the zone, also across the DST change', async () => {
    await h.createQueue({ name: 'always', timezone: 'America/New_York', slotDurationMinutes: 60 });
    h.t.clock.set('2026-10-25T12:00:00.000Z');
    const { body } = await availability(
      'always',
      '?start=2026-10-31T00:00:00-04:00&numberOfDays=2&timezone=America/New_York',
    );
    // Saturday (24 hours) and the fall-back Sunday (25 hours), every hour of both.
    expect(body.data.slots).toHaveLength(49);
    expect(body.data.slots.at(-1)?.localTime).toBe('2026-11-01T23:00:00.000-05:00');
  });

  it.each([
    ['an unknown time zone', '?timezone=Atlantis/Capital', /Atlantis\/Capital/],
    [
      'an end before the start',
      '?start=2026-11-30T12:00:00Z&end=2026-11-30T11:00:00Z',
      /end must be after start/,
    ],
    [
      'a range over 31 days',
      `?startMS=${Date.parse(NOW)}&endMS=${Date.parse(NOW) + 32 * 86_400_000}`,
      /at most 31 days/,
    ],
    ['more than 31 days', '?numberOfDays=32', /numberOfDays/],
  ])('refuses %s with 40001', async (_what, query, message) => {
    await h.expectError(await availability('ny', query), 400, 40001, message);
  });
});
