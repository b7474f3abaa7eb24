import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { Temporal } from 'temporal-polyfill';
import {
  DAY_MS,
  HOUR_MS,
  addLocalDays,
  canonicalTimeZone,
  endOfLocalDay,
  formatLocal,
  formatUtc,
  localDate,
  parseInstant,
  startOfLocalDay,
} from '../../../src/domain/time.js';

const ms = (iso: string) => Date.parse(iso);

describe('formatting instants', () => {
  it('formats local time with offset and milliseconds', () => {
    expect(formatLocal(ms('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(
      '2026-03-08T03:00:00.000-04:00',
    );
    expect(formatLocal(ms('2026-03-08T06:59:59.999Z'), 'America/New_York')).toBe(
      '2026-03-08T01:59:59.999-05:00',
    );
    expect(formatLocal(ms('2026-06-01T00:00:00Z'), 'Pacific/Chatham')).toBe(
      '2026-06-01T12:45:00.000+12:45',
    );
    expect(formatLocal(ms('2026-06-01T00:00:00Z'), 'Asia/Kolkata')).toBe(
      '2026-06-01T05:30:00.000+05:30',
    );
  });

  it('formats UTC with Z and milliseconds', () => {
    expect(formatUtc(ms('2026-03-08T07:00:00Z'))).toBe('2026-03-08T07:00:00.000Z');
    expect(formatUtc(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-03-08T07:00:00Z', '2026-03-08T07:00:00.000Z'],
    ['2026-03-08T07:00:00.250Z', '2026-03-08T07:00:00.250Z'],
    ['2026-03-08T03:00:00-04:00', '2026-03-08T07:00:00.000Z'],
    ['2026-03-08T12:45:00+05:30', '2026-03-08T07:15:00.000Z'],
    ['2026-03-08T07:00Z', '2026-03-08T07:00:00.000Z'],
  ])('accepts %s', (input, utc) => {
    expect(formatUtc(parseInstant(input))).toBe(utc);
  });

  it.each([
    'garbage',
    '',
    '2026-03-08',
    '2026-03-08T07:00:00',
    '2026-13-08T07:00:00Z',
    '2026-02-30T07:00:00Z',
    '+002026-03-08T07:00:00Z',
    '1772953200000',
  ])('rejects %j with INVALID_PARAMETER naming the field', (input) => {
    expect(() => parseInstant(input, 'desiredTime')).toThrow(AppError);
    try {
      parseInstant(input, 'desiredTime');
    } catch (e) {
      expect(e).toMatchObject({ kind: 'INVALID_PARAMETER' });
      expect(String(e)).toContain('desiredTime');
    }
  });
});

describe('local days', () => {
  it('knows the local date of an instant', () => {
    expect(localDate(ms('2026-03-08T04:59:00Z'), 'America/New_York')).toBe('2026-03-07');
    expect(localDate(ms('2026-03-08T05:00:00Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDate(ms('2026-03-08T11:30:00Z'), 'Pacific/Chatham')).toBe('2026-03-09');
  });

  it('gives 23-hour and 25-hour local days on DST days', () => {
    const spring = ms('2026-03-08T12:00:00Z');
    expect(startOfLocalDay(spring, 'America/New_York')).toBe(ms('2026-03-08T05:00:00Z'));
    expect(endOfLocalDay(spring, 'America/New_York')).toBe(ms('2026-03-09T04:00:00Z'));
    const fall = ms('2026-11-01T12:00:00Z');
    expect(
      endOfLocalDay(fall, 'America/New_York') - startOfLocalDay(fall, 'America/New_York'),
    ).toBe(25 * 3600_000);
  });

  it('adds calendar days keeping the wall clock, as Temporal does, also into skipped and repeated times', () => {
    // New York springs forward at 02:00 and falls back at 02:00; Lord Howe moves by half an hour.
    expect(addLocalDays(ms('2026-03-07T07:30:00Z'), 1, 'America/New_York')).toBe(
      ms('2026-03-08T07:30:00Z'), // 02:30 does not exist on the 8th: 03:30 EDT
    );
    expect(addLocalDays(ms('2026-10-31T05:30:00Z'), 1, 'America/New_York')).toBe(
      ms('2026-11-01T05:30:00Z'), // 01:30 happens twice on the 1st: the first, EDT
    );
    expect(addLocalDays(ms('2026-10-31T12:00:00Z'), 7, 'America/New_York')).toBe(
      ms('2026-11-07T13:00:00Z'), // a week of 169 hours
    );
    // Around both of 2026's changes, from instants in every part of a quarter hour whose sum
    // lands before, in and after the skipped or repeated time (or crosses the change itself).
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      let change = Temporal.Instant.from('2026-01-01T00:00:00Z').toZonedDateTimeISO(zone);
      for (let i = 0; i < 2; i++) {
        const next = change.getTimeZoneTransition('next');
        if (!next) throw new Error(`${zone} has no change in 2026`);
        change = next;
        for (const days of [1, 7]) {
          for (const back of [0, days]) {
            const around = change.epochMilliseconds - back * DAY_MS;
            for (let at = around - 2 * HOUR_MS; at <= around + 2 * HOUR_MS; at += 433_500) {
              expect(addLocalDays(at, days, zone)).toBe(
                Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone).add({ days })
                  .epochMilliseconds,
              );
            }
          }
        }
      }
    }
  });

  it('canonicalises zone names and refuses offsets and unknown zones', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('+01:00')).toBeUndefined();
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });
});
