import { Temporal } from 'temporal-polyfill';
import { AppError } from './errors.js';

// Instants cross this module's boundary as epoch milliseconds (numbers); Temporal stays inside.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The canonical spelling of an IANA zone id ("america/new_york" → "America/New_York"), or undefined. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  // Temporal also accepts fixed offsets ("+01:00"); a queue needs a real zone with DST rules.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) return undefined;
  try {
    return new Temporal.ZonedDateTime(0n, timeZone).timeZoneId;
  } catch {
    return undefined;
  }
}

/** True when `timeZone` names an IANA time zone known to the runtime. */
export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== undefined;
}

/** The zoned date-time of an instant (for the other domain modules). */
export function zoned(ms: number, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
}

// Slot times repeat in every availability answer; formatting them is a Temporal conversion each.
const localTexts = new Map<string, Map<number, string>>();
const LOCAL_TEXT_MEMO_LIMIT = 100_000;

/** Local ISO 8601 with offset and milliseconds, e.g. "2026-03-08T03:00:00.000-04:00". */
export function formatLocal(ms: number, timeZone: string): string {
  let zone = localTexts.get(timeZone);
  if (!zone) {
    zone = new Map();
    localTexts.set(timeZone, zone);
  }
  const known = zone.get(ms);
  if (known !== undefined) return known;
  if (zone.size >= LOCAL_TEXT_MEMO_LIMIT) zone.clear();
  const text = zoned(ms, timeZone).toString({ fractionalSecondDigits: 3, timeZoneName: 'never' });
  zone.set(ms, text);
  return text;
}

const utcTexts = new Map<number, string>();

/** UTC ISO 8601 with milliseconds, e.g. "2026-03-08T07:00:00.000Z". */
export function formatUtc(ms: number): string {
  const known = utcTexts.get(ms);
  if (known !== undefined) return known;
  // Date prints exactly this shape for years 0–9999, much faster than a Temporal round trip.
  const text =
    ms >= -62_167_219_200_000 && ms <= 253_402_300_799_999
      ? new Date(ms).toISOString()
      : Temporal.Instant.fromEpochMilliseconds(ms).toString({ fractionalSecondDigits: 3 });
  // Only slot-like instants (whole minutes) repeat; remembering others would just fill memory.
  if (ms % MINUTE_MS === 0) {
    if (utcTexts.size >= LOCAL_TEXT_MEMO_LIMIT) utcTexts.clear();
    utcTexts.set(ms, text);
  }
  return text;
}

const ISO_INSTANT_SHAPE =
  /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)/;

/** Epoch ms of an ISO 8601 instant with "Z" or an offset; AppError INVALID_PARAMETER otherwise. */
export function parseInstant(iso: string, field = 'time'): number {
  // The shape check keeps out Temporal's extended years and offset-less local times, which
  // would otherwise be read in some zone the client never named.
  if (!ISO_INSTANT_SHAPE.test(iso)) {
    throw new AppError(
      'INVALID_PARAMETER',
      `${field}: ${JSON.stringify(iso.slice(0, 64))} is not an ISO 8601 date-time with "Z" or an offset (e.g. 2026-03-08T07:00:00.000Z)`,
    );
  }
  try {
    return Temporal.Instant.from(iso).epochMilliseconds;
  } catch {
    throw new AppError(
      'INVALID_PARAMETER',
      `${field}: ${JSON.stringify(iso.slice(0, 64))} is not a valid date-time`,
    );
  }
}

const LOCAL_DATE_TIME_SHAPE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * Epoch ms of an ISO 8601 date-time; one without "Z" or an offset is the wall-clock time in
 * `timeZone` (GES reads `yyyy-MM-ddTHH:mm:ss.SSS` in the request's `timezone`). A skipped
 * wall-clock time moves forward across the jump, a repeated one is its first occurrence.
 */
export function parseInstantIn(iso: string, timeZone: string, field = 'time'): number {
  if (!LOCAL_DATE_TIME_SHAPE.test(iso)) return parseInstant(iso, field);
  try {
    return Temporal.PlainDateTime.from(iso.replace(' ', 'T')).toZonedDateTime(timeZone, {
      disambiguation: 'compatible',
    }).epochMilliseconds;
  } catch {
    throw new AppError(
      'INVALID_PARAMETER',
      `${field}: ${JSON.stringify(iso.slice(0, 64))} is not a valid date-time`,
    );
  }
}

/** The local calendar date "YYYY-MM-DD" of an instant in a zone. */
export function localDate(ms: number, timeZone: string): string {
  return zoned(ms, timeZone).toPlainDate().toString();
}

/** The instant the local day containing `ms` begins (the first instant of that date). */
export function startOfLocalDay(ms: number, timeZone: string): number {
  return zoned(ms, timeZone).startOfDay().epochMilliseconds;
}

/** The instant the local day containing `ms` ends, exclusive: the start of the next local day. */
export function endOfLocalDay(ms: number, timeZone: string): number {
  return dayStart(zoned(ms, timeZone).toPlainDate().add({ days: 1 }), timeZone);
}

/** The first instant of a local date (Temporal handles zones whose midnight is skipped). */
export function dayStart(date: Temporal.PlainDate, timeZone: string): number {
  return date.toZonedDateTime(timeZone).epochMilliseconds;
}

/**
 * The instant a local wall-clock time first happens on `date` (minuteOfDay may exceed 1440 to
 * reach into the following days). A repeated time maps to its first occurrence and a skipped time
 * to the instant the clocks jump, so the mapping never decreases: touching local intervals stay
 * touching in real time and never overlap.
 */
export function localTimeToInstant(
  date: Temporal.PlainDate,
  minuteOfDay: number,
  timeZone: string,
): number {
  const days = Math.floor(minuteOfDay / 1440);
  const minutes = minuteOfDay - days * 1440;
  const wall = (days === 0 ? date : date.add({ days })).toPlainDateTime({
    hour: Math.floor(minutes / 60),
    minute: minutes % 60,
  });
  const zdt = wall.toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  if (Temporal.PlainDateTime.compare(zdt.toPlainDateTime(), wall) !== 0) {
    // 'compatible' pushed a skipped time forward by the gap; SPEC wants the jump itself.
    const jump = zdt.getTimeZoneTransition('previous');
    if (jump) return jump.epochMilliseconds;
  }
  return zdt.epochMilliseconds;
}

// Every zone's offsets and transitions since the 1970s fall on quarter hours, so the local date
// is the same for every instant of a UTC quarter hour; calendar questions about "now" repeat
// within one, and Temporal conversions are the costly part of answering them.
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
const QUARTER_HOURS_SINCE = Date.UTC(1980, 0, 1);
const localDates = new Map<string, Temporal.PlainDate>();
const LOCAL_DATE_MEMO_LIMIT = 50_000;

/** The local date of an instant as a Temporal.PlainDate (for calendar arithmetic). */
export function plainDateOf(ms: number, timeZone: string): Temporal.PlainDate {
  if (ms < QUARTER_HOURS_SINCE) return zoned(ms, timeZone).toPlainDate();
  const key = `${timeZone} ${Math.floor(ms / QUARTER_HOUR_MS)}`;
  const known = localDates.get(key);
  if (known) return known;
  if (localDates.size >= LOCAL_DATE_MEMO_LIMIT) localDates.clear();
  const date = zoned(ms, timeZone).toPlainDate();
  localDates.set(key, date);
  return date;
}

const dayShifts = new Map<string, number>();

/**
 * The instant `days` local calendar days after `ms`: the same wall-clock time, where that time is
 * skipped moved on by the gap and where it is repeated its first occurrence (Temporal's rule).
 */
export function addLocalDays(ms: number, days: number, timeZone: string): number {
  if (ms < QUARTER_HOURS_SINCE) return zoned(ms, timeZone).add({ days }).epochMilliseconds;
  // Offsets and the wall times a change skips or repeats fall on quarter hours too, so every
  // instant of a UTC quarter hour moves by the same real time: one Temporal sum per quarter hour.
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${timeZone} ${days} ${quarter}`;
  let shift = dayShifts.get(key);
  if (shift === undefined) {
    const at = quarter * QUARTER_HOUR_MS;
    shift = zoned(at, timeZone).add({ days }).epochMilliseconds - at;
    if (dayShifts.size >= LOCAL_DATE_MEMO_LIMIT) dayShifts.clear();
    dayShifts.set(key, shift);
  }
  return ms + shift;
}
