import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { openIntervals } from '../../../src/domain/calendar.js';
import type { BusinessHours, TimeInterval } from '../../../src/domain/hours.js';
import { slotCapacityAt, slotContaining, slots } from '../../../src/domain/slots.js';
import { dayStart, endOfLocalDay, formatLocal } from '../../../src/domain/time.js';
import { ALL_DAYS, everyDay, HOUR, MIN, ms, queue } from './helpers.js';

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Sao_Paulo',
] as const;

/** Slots of one local date for a queue open `interval` on that date only. */
function slotsOfDay(zone: string, date: string, interval: TimeInterval | undefined, minutes = 15) {
  const q = queue(zone, {
    slotDurationMinutes: minutes,
    ...(interval && { businessHours: { weekly: {}, special: [{ date, hours: [interval] }] } }),
  });
  const start = dayStart(Temporal.PlainDate.from(date), zone);
  return slots(q, start, endOfLocalDay(start, zone), 0);
}

function expectTiled(list: { start: number; end: number }[], minutes: number) {
  const starts = list.map((s) => s.start);
  expect(new Set(starts).size).toBe(starts.length);
  list.forEach((s, i) => {
    expect(s.end - s.start).toBe(minutes * MIN);
    const next = list[i + 1];
    if (next) expect(next.start).toBeGreaterThanOrEqual(s.end);
  });
}

describe('slots on DST days (office open on that date only)', () => {
  it.each([
    ['America/New_York', '2026-03-08', ['00:00', '03:00'], 8],
    ['America/New_York', '2026-11-01', ['00:00', '03:00'], 16],
    ['America/New_York', '2027-03-14', ['00:00', '03:00'], 8],
    ['America/New_York', '2027-11-07', ['00:00', '03:00'], 16],
    ['America/New_York', '2026-03-08', ['09:00', '17:00'], 32],
    ['Europe/Berlin', '2026-03-29', ['00:00', '03:00'], 8],
    ['Europe/Berlin', '2026-10-25', ['00:00', '03:00'], 16],
    ['Europe/Berlin', '2027-03-28', ['00:00', '03:00'], 8],
    ['Europe/Berlin', '2027-10-31', ['00:00', '03:00'], 16],
    ['Australia/Lord_Howe', '2026-04-05', ['00:00', '03:00'], 14],
    ['Australia/Lord_Howe', '2026-10-04', ['00:00', '03:00'], 10],
    ['Australia/Lord_Howe', '2027-04-04', ['00:00', '03:00'], 14],
    ['Australia/Lord_Howe', '2027-10-03', ['00:00', '03:00'], 10],
    ['Pacific/Chatham', '2026-04-05', ['00:00', '04:00'], 20],
    ['Pacific/Chatham', '2026-09-27', ['00:00', '04:00'], 12],
    ['Pacific/Chatham', '2027-04-04', ['00:00', '04:00'], 20],
    ['Pacific/Chatham', '2027-09-26', ['00:00', '04:00'], 12],
    ['Pacific/Chatham', '2026-09-27', ['00:00', '03:00'], 11],
    ['Asia/Kolkata', '2026-03-08', ['00:00', '03:00'], 12],
    ['America/Sao_Paulo', '2026-11-01', ['00:00', '03:00'], 12],
    ['America/Sao_Paulo', '2027-02-21', ['00:00', '03:00'], 12],
  ] as const)('%s %s %j → %i fifteen-minute slots', (zone, date, interval, count) => {
    const list = slotsOfDay(zone, date, [interval[0], interval[1]]);
    expect(list).toHaveLength(count);
    expectTiled(list, 15);
    // One business interval, tiled back to back in real time.
    list.slice(1).forEach((s, i) => expect(s.start).toBe(list[i]?.end));
  });

  it('labels the New York fall-back slots with both offsets', () => {
    const list = slotsOfDay('America/New_York', '2026-11-01', ['00:00', '03:00']);
    const labels = list.map(
      (s) =>
        formatLocal(s.start, 'America/New_York').slice(11, 16) +
        formatLocal(s.start, 'America/New_York').slice(-6),
    );
    expect(labels.slice(6, 10)).toEqual([
      '01:30-04:00',
      '01:45-04:00',
      '01:00-05:00',
      '01:15-05:00',
    ]);
    expect(labels.at(-1)).toBe('02:45-05:00');
  });

  it('starts a slot at the jump when the configured start is skipped', () => {
    const list = slotsOfDay('America/New_York', '2026-03-08', ['02:30', '05:00']);
    expect(list).toHaveLength(8);
    expect(formatLocal(list[0]?.start ?? 0, 'America/New_York')).toBe(
      '2026-03-08T03:00:00.000-04:00',
    );
  });

  it.each([
    ['America/New_York', '2026-03-08', 92],
    ['America/New_York', '2026-11-01', 100],
    ['Australia/Lord_Howe', '2026-04-05', 98],
    ['Australia/Lord_Howe', '2026-10-04', 94],
    ['Pacific/Chatham', '2026-04-05', 100],
    ['Pacific/Chatham', '2026-09-27', 92],
    ['Asia/Kolkata', '2026-06-01', 96],
  ] as const)(
    'a 24/7 queue in %s on %s tiles the local day from midnight: %i slots',
    (zone, date, count) => {
      const list = slotsOfDay(zone, date, undefined);
      expect(list).toHaveLength(count);
      expect(formatLocal(list[0]?.start ?? 0, zone).slice(11, 16)).toBe('00:00');
      expectTiled(list, 15);
    },
  );

  it('drops a trailing remainder shorter than a slot (25-hour day, 120-minute slots)', () => {
    const list = slotsOfDay('America/New_York', '2026-11-01', undefined, 120);
    expect(list).toHaveLength(12);
  });
});

describe('slots', () => {
  const q = queue('America/New_York', { businessHours: everyDay(['09:00', '17:00']) });
  const day = ms('2026-06-01T04:00Z'); // local midnight (EDT)

  it('offers only slots that have not started, within [from, to)', () => {
    const now = ms('2026-06-01T13:10Z'); // 09:10 EDT
    const list = slots(q, day, day + 24 * HOUR, now);
    expect(formatLocal(list[0]?.start ?? 0, q.timezone)).toBe('2026-06-01T09:15:00.000-04:00');
    expect(list).toHaveLength(31);
    const at = ms('2026-06-01T14:00Z');
    expect(slots(q, at, at + 30 * MIN, 0).map((s) => s.start)).toEqual([at, at + 15 * MIN]);
    expect(slots(q, at, at, 0)).toEqual([]);
  });

  it('keeps the same grid whatever range is asked for', () => {
    const q20 = queue('Europe/Berlin', {
      slotDurationMinutes: 20,
      businessHours: everyDay(['08:50', '12:00']),
    });
    const from = ms('2026-06-01T00:00Z');
    const all = slots(q20, from, from + 24 * HOUR, 0);
    const later = slots(q20, from + 7 * HOUR + 3 * MIN, from + 24 * HOUR, 0);
    expect(later).toEqual(all.filter((s) => s.start >= from + 7 * HOUR + 3 * MIN));
  });

  it('follows special days: a shortened day has fewer slots, a closed day none', () => {
    const holidays = queue('America/New_York', {
      businessHours: {
        ...everyDay(['09:00', '17:00']),
        special: [
          { date: '2026-12-24', hours: [['09:00', '12:00']] },
          { date: '2026-12-25', hours: [] },
        ],
      },
    });
    const dayOf = (date: string) => {
      const start = dayStart(Temporal.PlainDate.from(date), holidays.timezone);
      return slots(holidays, start, endOfLocalDay(start, holidays.timezone), 0);
    };
    expect(dayOf('2026-12-23')).toHaveLength(32);
    expect(dayOf('2026-12-24')).toHaveLength(12);
    expect(formatLocal(dayOf('2026-12-24').at(-1)?.start ?? 0, holidays.timezone)).toBe(
      '2026-12-24T11:45:00.000-05:00',
    );
    expect(dayOf('2026-12-25')).toEqual([]);
  });

  it('finds the slot containing an instant', () => {
    expect(slotContaining(q, ms('2026-06-01T13:20Z'))?.start).toBe(ms('2026-06-01T13:15Z'));
    expect(slotContaining(q, ms('2026-06-01T21:00Z'))).toBeUndefined();
  });

  it('applies the first matching capacity rule, including windows across midnight', () => {
    const rules = queue('America/New_York', {
      slotCapacity: 10,
      capacityRule: [
        { days: ['mon'], from: '12:00', to: '13:00', capacity: 2 },
        { days: ['mon', 'tue'], from: '09:00', to: '17:00', capacity: 5 },
        { days: ['fri'], from: '22:00', to: '02:00', capacity: 1 },
      ],
    });
    const at = (iso: string) => slotCapacityAt(rules, ms(iso));
    expect(at('2026-06-01T12:30:00-04:00')).toBe(2); // Monday 12:30
    expect(at('2026-06-01T09:00:00-04:00')).toBe(5); // Monday 09:00
    expect(at('2026-06-01T17:00:00-04:00')).toBe(10); // Monday 17:00, window end is exclusive
    expect(at('2026-06-03T10:00:00-04:00')).toBe(10); // Wednesday
    expect(at('2026-06-05T23:00:00-04:00')).toBe(1); // Friday 23:00
    expect(at('2026-06-06T01:45:00-04:00')).toBe(1); // Saturday 01:45, Friday's window
    expect(at('2026-06-06T02:00:00-04:00')).toBe(10);
    const list = slots(rules, ms('2026-06-01T16:00Z'), ms('2026-06-01T17:00Z'), 0);
    expect(list.map((s) => s.capacity)).toEqual([2, 2, 2, 2]);
  });
});

// Random weekly plans: per day up to two ordered intervals, the second possibly crossing midnight.
const clock = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const dayPlan = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 0, max: 1439 }), { minLength: 4, maxLength: 4 }),
    fc.integer({ min: 0, max: 2 }),
    fc.boolean(),
    fc.integer({ min: 1, max: 1439 }),
  )
  .map(([points, count, crosses, crossEnd]): TimeInterval[] => {
    const [a = 0, b = 1, c = 2, d = 3] = [...points].sort((x, y) => x - y);
    const plan: TimeInterval[] = [];
    if (count >= 1) plan.push([clock(a), clock(b)]);
    // Crossing: end at or before start, so it runs into the next day.
    if (count >= 2)
      plan.push(crosses ? [clock(c), clock(Math.min(crossEnd, c) - 1)] : [clock(c), clock(d)]);
    return plan;
  });
const weeklyPlan = fc.tuple(...ALL_DAYS.map(() => dayPlan)).map((plans): BusinessHours => {
  const weekly: BusinessHours['weekly'] = {};
  ALL_DAYS.forEach((d, i) => {
    const plan = plans[i];
    if (plan && plan.length > 0) weekly[d] = plan;
  });
  return { weekly, special: [] };
});
// Up to two special days near the start of the range (dates picked relative to it in the test).
const specials = fc.array(fc.tuple(fc.integer({ min: -1, max: 3 }), dayPlan), { maxLength: 2 });
const capacityRules = fc.array(
  fc.record({
    days: fc.uniqueArray(fc.constantFrom(...ALL_DAYS), { minLength: 1, maxLength: 3 }),
    from: fc.integer({ min: 0, max: 1439 }),
    to: fc.integer({ min: 1, max: 1440 }),
    capacity: fc.integer({ min: 0, max: 20 }),
  }),
  { maxLength: 3 },
);
const instant = fc.integer({ min: ms('2026-01-01T00:00Z'), max: ms('2027-12-31T00:00Z') });

describe('slot properties (random weekly plans, 2026–2027)', () => {
  it('slots are disjoint, inside open hours, exactly one duration long, strictly increasing', () => {
    fc.assert(
      fc.property(
        weeklyPlan,
        fc.constantFrom(...ZONES),
        instant,
        fc.integer({ min: 0, max: 3 * 24 * 60 }),
        fc.integer({ min: 5, max: 120 }),
        fc.integer({ min: -2 * 24 * 60, max: 2 * 24 * 60 }),
        specials,
        capacityRules,
        (weekly, zone, from, lengthMin, duration, nowOffsetMin, special, rules) => {
          const firstDate = Temporal.Instant.fromEpochMilliseconds(from)
            .toZonedDateTimeISO(zone)
            .toPlainDate();
          const byDate = new Map(
            special.map(([days, plan]) => [firstDate.add({ days }).toString(), plan] as const),
          );
          const hours: BusinessHours = {
            weekly: weekly.weekly,
            special: [...byDate].map(([date, plan]) => ({ date, hours: plan })),
          };
          const q = queue(zone, {
            businessHours: hours,
            slotDurationMinutes: duration,
            capacityRule: rules
              .filter((r) => r.from !== r.to % 1440 || r.to === 1440)
              .map((r) => ({ ...r, from: clock(r.from), to: clock(r.to) })),
          });
          const to = from + lengthMin * MIN;
          const now = from + nowOffsetMin * MIN;
          const list = slots(q, from, to, now);
          const open = openIntervals(hours, zone, from - 2 * 24 * HOUR, to + 2 * 24 * HOUR);
          open.slice(1).forEach((o, i) => expect(o.start).toBeGreaterThan(open[i]?.end ?? 0));
          let previousEnd = -Infinity;
          for (const s of list) {
            expect(s.end - s.start).toBe(duration * MIN);
            expect(s.start).toBeGreaterThanOrEqual(Math.max(from, now));
            expect(s.start).toBeLessThan(to);
            expect(s.start).toBeGreaterThanOrEqual(previousEnd);
            previousEnd = s.end;
            expect(open.some((o) => o.start <= s.start && s.end <= o.end)).toBe(true);
            expect(s.capacity).toBe(slotCapacityAt(q, s.start));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the grid does not depend on where the range starts', () => {
    fc.assert(
      fc.property(
        weeklyPlan,
        fc.constantFrom(...ZONES),
        instant,
        fc.integer({ min: 1, max: 36 * 60 }),
        fc.integer({ min: 5, max: 120 }),
        (hours, zone, from, shiftMin, duration) => {
          const q = queue(zone, { businessHours: hours, slotDurationMinutes: duration });
          const to = from + 3 * 24 * HOUR;
          const later = from + shiftMin * MIN;
          expect(slots(q, later, to, 0)).toEqual(
            slots(q, from, to, 0).filter((s) => s.start >= later),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
