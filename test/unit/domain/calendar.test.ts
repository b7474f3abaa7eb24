import { describe, expect, it } from 'vitest';
import {
  businessDayCloses,
  isOpenAt,
  openIntervals,
  OPEN_FOR_CAP_SECONDS,
  secondsUntilClose,
} from '../../../src/domain/calendar.js';
import type { BusinessHours, TimeInterval } from '../../../src/domain/hours.js';
import { formatUtc } from '../../../src/domain/time.js';
import { everyDay, HOUR, ms } from './helpers.js';

const DAY = 24 * HOUR;

// Expected instants worked out by hand from each zone's offsets either side of the transition.
// A local time that happens twice maps to its first occurrence; one that is skipped maps to the
// instant the clocks jump.
const dstTable: {
  zone: string;
  date: string;
  interval: TimeInterval;
  start: string;
  end: string;
  hours: number;
}[] = [
  // New York: 02:00 EST → 03:00 EDT in March, 02:00 EDT → 01:00 EST in November.
  {
    zone: 'America/New_York',
    date: '2026-03-08',
    interval: ['00:00', '03:00'],
    start: '2026-03-08T05:00Z',
    end: '2026-03-08T07:00Z',
    hours: 2,
  },
  {
    zone: 'America/New_York',
    date: '2026-11-01',
    interval: ['00:00', '03:00'],
    start: '2026-11-01T04:00Z',
    end: '2026-11-01T08:00Z',
    hours: 4,
  },
  {
    zone: 'America/New_York',
    date: '2027-03-14',
    interval: ['00:00', '03:00'],
    start: '2027-03-14T05:00Z',
    end: '2027-03-14T07:00Z',
    hours: 2,
  },
  {
    zone: 'America/New_York',
    date: '2027-11-07',
    interval: ['00:00', '03:00'],
    start: '2027-11-07T04:00Z',
    end: '2027-11-07T08:00Z',
    hours: 4,
  },
  // A skipped start begins at the jump; a repeated start or end is its first occurrence.
  {
    zone: 'America/New_York',
    date: '2026-03-08',
    interval: ['02:30', '05:00'],
    start: '2026-03-08T07:00Z',
    end: '2026-03-08T09:00Z',
    hours: 2,
  },
  {
    zone: 'America/New_York',
    date: '2026-11-01',
    interval: ['01:30', '03:00'],
    start: '2026-11-01T05:30Z',
    end: '2026-11-01T08:00Z',
    hours: 2.5,
  },
  {
    zone: 'America/New_York',
    date: '2026-11-01',
    interval: ['00:00', '01:30'],
    start: '2026-11-01T04:00Z',
    end: '2026-11-01T05:30Z',
    hours: 1.5,
  },
  // Berlin: 02:00 CET → 03:00 CEST in March, 03:00 CEST → 02:00 CET in October.
  {
    zone: 'Europe/Berlin',
    date: '2026-03-29',
    interval: ['00:00', '03:00'],
    start: '2026-03-28T23:00Z',
    end: '2026-03-29T01:00Z',
    hours: 2,
  },
  {
    zone: 'Europe/Berlin',
    date: '2026-10-25',
    interval: ['00:00', '03:00'],
    start: '2026-10-24T22:00Z',
    end: '2026-10-25T02:00Z',
    hours: 4,
  },
  {
    zone: 'Europe/Berlin',
    date: '2027-03-28',
    interval: ['00:00', '03:00'],
    start: '2027-03-27T23:00Z',
    end: '2027-03-28T01:00Z',
    hours: 2,
  },
  {
    zone: 'Europe/Berlin',
    date: '2027-10-31',
    interval: ['00:00', '03:00'],
    start: '2027-10-30T22:00Z',
    end: '2027-10-31T02:00Z',
    hours: 4,
  },
  // Lord Howe moves only 30 minutes: 02:00 (+11) → 01:30 (+10:30) in April, 02:00 → 02:30 in October.
  {
    zone: 'Australia/Lord_Howe',
    date: '2026-04-05',
    interval: ['00:00', '03:00'],
    start: '2026-04-04T13:00Z',
    end: '2026-04-04T16:30Z',
    hours: 3.5,
  },
  {
    zone: 'Australia/Lord_Howe',
    date: '2026-10-04',
    interval: ['00:00', '03:00'],
    start: '2026-10-03T13:30Z',
    end: '2026-10-03T16:00Z',
    hours: 2.5,
  },
  {
    zone: 'Australia/Lord_Howe',
    date: '2027-04-04',
    interval: ['00:00', '03:00'],
    start: '2027-04-03T13:00Z',
    end: '2027-04-03T16:30Z',
    hours: 3.5,
  },
  {
    zone: 'Australia/Lord_Howe',
    date: '2027-10-03',
    interval: ['00:00', '03:00'],
    start: '2027-10-02T13:30Z',
    end: '2027-10-02T16:00Z',
    hours: 2.5,
  },
  // Chatham: 03:45 (+13:45) → 02:45 (+12:45) in April, 02:45 → 03:45 in September.
  {
    zone: 'Pacific/Chatham',
    date: '2026-04-05',
    interval: ['00:00', '04:00'],
    start: '2026-04-04T10:15Z',
    end: '2026-04-04T15:15Z',
    hours: 5,
  },
  {
    zone: 'Pacific/Chatham',
    date: '2026-09-27',
    interval: ['00:00', '04:00'],
    start: '2026-09-26T11:15Z',
    end: '2026-09-26T14:15Z',
    hours: 3,
  },
  {
    zone: 'Pacific/Chatham',
    date: '2027-04-04',
    interval: ['00:00', '04:00'],
    start: '2027-04-03T10:15Z',
    end: '2027-04-03T15:15Z',
    hours: 5,
  },
  {
    zone: 'Pacific/Chatham',
    date: '2027-09-26',
    interval: ['00:00', '04:00'],
    start: '2027-09-25T11:15Z',
    end: '2027-09-25T14:15Z',
    hours: 3,
  },
  // 03:00 lies in Chatham's repeated hour (first occurrence) and in its skipped hour (the jump).
  {
    zone: 'Pacific/Chatham',
    date: '2026-04-05',
    interval: ['00:00', '03:00'],
    start: '2026-04-04T10:15Z',
    end: '2026-04-04T13:15Z',
    hours: 3,
  },
  {
    zone: 'Pacific/Chatham',
    date: '2026-09-27',
    interval: ['00:00', '03:00'],
    start: '2026-09-26T11:15Z',
    end: '2026-09-26T14:00Z',
    hours: 2.75,
  },
  // No DST: Kolkata never; São Paulo not since 2019 (these were its old transition Sundays).
  {
    zone: 'Asia/Kolkata',
    date: '2026-03-08',
    interval: ['00:00', '03:00'],
    start: '2026-03-07T18:30Z',
    end: '2026-03-07T21:30Z',
    hours: 3,
  },
  {
    zone: 'Asia/Kolkata',
    date: '2026-11-01',
    interval: ['00:00', '03:00'],
    start: '2026-10-31T18:30Z',
    end: '2026-10-31T21:30Z',
    hours: 3,
  },
  {
    zone: 'America/Sao_Paulo',
    date: '2026-02-15',
    interval: ['00:00', '03:00'],
    start: '2026-02-15T03:00Z',
    end: '2026-02-15T06:00Z',
    hours: 3,
  },
  {
    zone: 'America/Sao_Paulo',
    date: '2026-11-01',
    interval: ['00:00', '03:00'],
    start: '2026-11-01T03:00Z',
    end: '2026-11-01T06:00Z',
    hours: 3,
  },
  {
    zone: 'America/Sao_Paulo',
    date: '2027-11-07',
    interval: ['00:00', '03:00'],
    start: '2027-11-07T03:00Z',
    end: '2027-11-07T06:00Z',
    hours: 3,
  },
];

describe('openIntervals on DST days', () => {
  it.each(dstTable)('$zone $date $interval is open $hours real hours', (row) => {
    const hours: BusinessHours = {
      weekly: {},
      special: [{ date: row.date, hours: [row.interval] }],
    };
    const around = ms(`${row.date}T12:00:00Z`);
    const open = openIntervals(hours, row.zone, around - 2 * DAY, around + 2 * DAY);
    expect(open.map((s) => [formatUtc(s.start), formatUtc(s.end)])).toEqual([
      [formatUtc(ms(row.start)), formatUtc(ms(row.end))],
    ]);
    expect((open[0]?.end ?? 0) - (open[0]?.start ?? 0)).toBe(row.hours * HOUR);
  });

  it('drops an interval lying wholly inside the skipped hour', () => {
    const hours: BusinessHours = {
      weekly: {},
      special: [{ date: '2026-03-08', hours: [['02:15', '02:45']] }],
    };
    const t = ms('2026-03-08T00:00Z');
    expect(openIntervals(hours, 'America/New_York', t, t + DAY)).toEqual([]);
  });

  it('runs an overnight interval across the fall-back night (Berlin Sat 22:00 to Sun 03:00 is 6 hours)', () => {
    const hours: BusinessHours = { weekly: { sat: [['22:00', '03:00']] }, special: [] };
    const open = openIntervals(
      hours,
      'Europe/Berlin',
      ms('2026-10-24T00:00Z'),
      ms('2026-10-26T00:00Z'),
    );
    expect(open).toEqual([{ start: ms('2026-10-24T20:00Z'), end: ms('2026-10-25T02:00Z') }]);
  });
});

describe('openIntervals', () => {
  it('merges touching intervals across midnight into one', () => {
    const hours: BusinessHours = {
      weekly: { mon: [['20:00', '24:00']], tue: [['00:00', '04:00']] },
      special: [],
    };
    // Monday 2026-03-02 in New York (EST, -05:00).
    const open = openIntervals(
      hours,
      'America/New_York',
      ms('2026-03-02T00:00Z'),
      ms('2026-03-05T00:00Z'),
    );
    expect(open).toEqual([{ start: ms('2026-03-03T01:00Z'), end: ms('2026-03-03T09:00Z') }]);
  });

  it('clips to the requested range and returns nothing for an empty range', () => {
    const hours = everyDay(['09:00', '17:00']);
    const from = ms('2026-06-01T15:00Z'); // 11:00 EDT
    const to = ms('2026-06-02T15:00Z');
    expect(openIntervals(hours, 'America/New_York', from, to)).toEqual([
      { start: from, end: ms('2026-06-01T21:00Z') },
      { start: ms('2026-06-02T13:00Z'), end: to },
    ]);
    expect(openIntervals(hours, 'America/New_York', to, from)).toEqual([]);
  });

  it('treats absent business hours as always open', () => {
    expect(openIntervals(undefined, 'UTC', 1000, 5000)).toEqual([{ start: 1000, end: 5000 }]);
  });

  it('refuses ranges longer than 400 days', () => {
    expect(() => openIntervals(undefined, 'UTC', 0, 401 * DAY)).toThrow(/400 days/);
  });
});

describe('special days', () => {
  // Weekdays 09:00–17:00 in New York; 2026-12-24 is a Thursday, 12-25 a Friday.
  const weekdays: BusinessHours['weekly'] = {
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
  };
  const hours: BusinessHours = {
    weekly: weekdays,
    special: [
      { date: '2026-12-24', hours: [['09:00', '12:00']] },
      { date: '2026-12-25', hours: [] },
      { date: '2026-12-26', hours: [['10:00', '14:00']] },
    ],
  };
  const open = openIntervals(
    hours,
    'America/New_York',
    ms('2026-12-23T05:00Z'),
    ms('2026-12-28T05:00Z'),
  );

  it('shortens a day, closes a day and opens a Saturday', () => {
    expect(open.map((s) => [formatUtc(s.start), formatUtc(s.end)])).toEqual([
      ['2026-12-23T14:00:00.000Z', '2026-12-23T22:00:00.000Z'],
      ['2026-12-24T14:00:00.000Z', '2026-12-24T17:00:00.000Z'],
      ['2026-12-26T15:00:00.000Z', '2026-12-26T19:00:00.000Z'],
    ]);
  });

  // Decision: an interval belongs to the date it starts on, so the previous evening's overnight
  // shift still runs into a special (even closed) day.
  it('lets an overnight interval from the previous day run into a closed special day', () => {
    const night: BusinessHours = {
      weekly: { wed: [['20:00', '02:00']] },
      special: [{ date: '2026-12-24', hours: [] }],
    };
    expect(
      openIntervals(night, 'America/New_York', ms('2026-12-23T05:00Z'), ms('2026-12-26T05:00Z')),
    ).toEqual([{ start: ms('2026-12-24T01:00Z'), end: ms('2026-12-24T07:00Z') }]);
  });
});

describe('secondsUntilClose', () => {
  const night = (zone: string, date: string, interval: TimeInterval) => ({
    hours: { weekly: {}, special: [{ date, hours: [interval] }] } satisfies BusinessHours,
    zone,
  });
  it.each([
    // [label, zone, date, interval, now, expected seconds]
    [
      'NY spring-forward, 01:30 EST',
      'America/New_York',
      '2026-03-08',
      ['00:00', '03:00'],
      '2026-03-08T06:30Z',
      1800,
    ],
    [
      'NY fall-back, first 01:30',
      'America/New_York',
      '2026-11-01',
      ['00:00', '03:00'],
      '2026-11-01T05:30Z',
      9000,
    ],
    [
      'NY fall-back, second 01:30',
      'America/New_York',
      '2026-11-01',
      ['00:00', '03:00'],
      '2026-11-01T06:30Z',
      5400,
    ],
    [
      'NY fall-back, at close',
      'America/New_York',
      '2026-11-01',
      ['00:00', '03:00'],
      '2026-11-01T08:00Z',
      0,
    ],
    [
      'NY fall-back, before open',
      'America/New_York',
      '2026-11-01',
      ['00:00', '03:00'],
      '2026-11-01T03:59Z',
      0,
    ],
    [
      'Berlin fall-back, 02:30 CET',
      'Europe/Berlin',
      '2026-10-25',
      ['00:00', '03:00'],
      '2026-10-25T01:30Z',
      1800,
    ],
    [
      'Berlin spring 2027, 01:30 CET',
      'Europe/Berlin',
      '2027-03-28',
      ['00:00', '03:00'],
      '2027-03-28T00:30Z',
      1800,
    ],
    [
      'Lord Howe April, 01:45 (+11)',
      'Australia/Lord_Howe',
      '2026-04-05',
      ['00:00', '03:00'],
      '2026-04-04T14:45Z',
      6300,
    ],
    [
      'Lord Howe October, 01:30',
      'Australia/Lord_Howe',
      '2026-10-04',
      ['00:00', '03:00'],
      '2026-10-03T15:00Z',
      3600,
    ],
    [
      'Chatham September, closes at the jump',
      'Pacific/Chatham',
      '2026-09-27',
      ['00:00', '03:00'],
      '2026-09-26T13:45Z',
      900,
    ],
    [
      'Chatham April 2027, 03:00 (+12:45)',
      'Pacific/Chatham',
      '2027-04-04',
      ['00:00', '04:00'],
      '2027-04-03T14:15Z',
      3600,
    ],
    [
      'Kolkata afternoon',
      'Asia/Kolkata',
      '2026-06-01',
      ['09:00', '17:00'],
      '2026-06-01T10:00Z',
      5400,
    ],
    [
      'São Paulo old DST Sunday',
      'America/Sao_Paulo',
      '2026-11-01',
      ['09:00', '17:00'],
      '2026-11-01T18:00Z',
      7200,
    ],
  ] as const)('%s', (_label, zone, date, interval, now, expected) => {
    const q = night(zone, date, [interval[0], interval[1]]);
    expect(secondsUntilClose(q.hours, q.zone, ms(now))).toBe(expected);
  });

  it('counts through midnight into the next day’s touching interval', () => {
    const hours: BusinessHours = {
      weekly: { mon: [['20:00', '24:00']], tue: [['00:00', '04:00']] },
      special: [],
    };
    // Monday 2026-03-02 23:00 EST; closes Tuesday 04:00 EST.
    expect(secondsUntilClose(hours, 'America/New_York', ms('2026-03-03T04:00Z'))).toBe(5 * 3600);
  });

  it('follows a stretch over several days', () => {
    const hours: BusinessHours = {
      weekly: { mon: [['08:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '18:00']] },
      special: [],
    };
    // Monday 2026-06-01 09:00 EDT until Wednesday 18:00 EDT.
    expect(secondsUntilClose(hours, 'America/New_York', ms('2026-06-01T13:00Z'))).toBe(57 * 3600);
  });

  it('rounds up so an open office never answers 0', () => {
    const hours = everyDay(['09:00', '17:00']);
    expect(secondsUntilClose(hours, 'UTC', ms('2026-06-01T17:00Z') - 1)).toBe(1);
  });

  it('answers one week for a 24/7 queue and for hours that never close', () => {
    expect(secondsUntilClose(undefined, 'UTC', ms('2026-06-01T12:00Z'))).toBe(OPEN_FOR_CAP_SECONDS);
    expect(
      secondsUntilClose(everyDay(['00:00', '24:00']), 'Europe/Berlin', ms('2026-10-25T01:00Z')),
    ).toBe(OPEN_FOR_CAP_SECONDS);
    expect(isOpenAt(undefined, 'UTC', 0)).toBe(true);
  });
});

describe('businessDayCloses', () => {
  const zone = 'America/New_York';
  it('closes once per day at the end of the last interval, not at a lunch break', () => {
    const hours = everyDay(['09:00', '12:00'], ['13:00', '17:00']);
    expect(
      businessDayCloses(hours, zone, ms('2026-03-07T05:00Z'), ms('2026-03-09T05:00Z')),
    ).toEqual([
      { date: '2026-03-07', close: ms('2026-03-07T22:00Z') },
      { date: '2026-03-08', close: ms('2026-03-08T21:00Z') },
    ]);
  });

  it('closes at the real end of a DST night', () => {
    const hours = everyDay(['00:00', '03:00']);
    expect(
      businessDayCloses(hours, zone, ms('2026-11-01T04:00Z'), ms('2026-11-02T04:00Z')),
    ).toEqual([{ date: '2026-11-01', close: ms('2026-11-01T08:00Z') }]);
    expect(
      businessDayCloses(
        hours,
        'Australia/Lord_Howe',
        ms('2026-10-03T13:00Z'),
        ms('2026-10-04T13:00Z'),
      ),
    ).toEqual([{ date: '2026-10-04', close: ms('2026-10-03T16:00Z') }]);
  });

  it('closes an overnight shift the next morning under the date it started', () => {
    const hours: BusinessHours = { weekly: { fri: [['22:00', '02:00']] }, special: [] };
    expect(
      businessDayCloses(hours, zone, ms('2026-03-06T05:00Z'), ms('2026-03-09T05:00Z')),
    ).toEqual([{ date: '2026-03-06', close: ms('2026-03-07T07:00Z') }]);
  });

  it('reports a stretch that runs past midnight once, under the earliest date', () => {
    const hours: BusinessHours = {
      weekly: {
        mon: [['20:00', '24:00']],
        tue: [
          ['00:00', '04:00'],
          ['09:00', '17:00'],
        ],
      },
      special: [],
    };
    expect(
      businessDayCloses(hours, zone, ms('2026-03-02T05:00Z'), ms('2026-03-04T05:00Z')),
    ).toEqual([
      { date: '2026-03-02', close: ms('2026-03-03T09:00Z') },
      { date: '2026-03-03', close: ms('2026-03-03T22:00Z') },
    ]);
  });

  it('skips closed special days, treats the range as half-open, and never closes a 24/7 queue', () => {
    const hours: BusinessHours = {
      ...everyDay(['09:00', '17:00']),
      special: [{ date: '2026-12-25', hours: [] }],
    };
    const closes = businessDayCloses(hours, zone, ms('2026-12-24T22:00Z'), ms('2026-12-26T22:00Z'));
    expect(closes).toEqual([{ date: '2026-12-24', close: ms('2026-12-24T22:00Z') }]);
    expect(businessDayCloses(undefined, zone, 0, DAY)).toEqual([]);
  });
});
