import { Temporal } from 'temporal-polyfill';
import { AppError } from './errors.js';
import { type BusinessHours, type TimeInterval, intervalMinutes, weekdayOf } from './hours.js';
import { DAY_MS, dayStart, localTimeToInstant, plainDateOf } from './time.js';

/** A half-open span of real time [start, end) in epoch ms. */
export interface Span {
  start: number;
  end: number;
}

/** A business-hours interval in real time, with the local date whose plan it comes from. */
export interface OwnedSpan extends Span {
  date: string;
}

// Guards the pure functions against unbounded loops when an API caller asks for huge ranges.
export const MAX_RANGE_DAYS = 400;
// "Open for" never reports more than a week: beyond that the office is as good as always open.
export const OPEN_FOR_CAP_SECONDS = 7 * 24 * 3600;

/** Throws INVALID_PARAMETER for a non-finite or over-long [fromMs, toMs) range. */
export function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
    throw new AppError('INVALID_PARAMETER', 'time range: start and end must be finite instants');
  }
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) {
    throw new AppError('INVALID_PARAMETER', `time range: at most ${MAX_RANGE_DAYS} days`);
  }
}

/** The plan of one local date: its special day if listed, else its weekday's intervals. */
function planFor(
  hours: BusinessHours,
  date: Temporal.PlainDate,
  special: Map<string, TimeInterval[]>,
) {
  return special.get(date.toString()) ?? hours.weekly[weekdayOf(date)] ?? [];
}

/**
 * Every business interval owned by the local dates firstDate..lastDate, in real time, sorted by
 * start. An interval belongs to the date it starts on: one crossing midnight keeps running into
 * the next day even when that day is a special day, because it is the previous business day's
 * shift (close the tail with a special entry for the previous day if needed). Undefined hours
 * (24/7) own each whole local day.
 */
export function ownedSpans(
  hours: BusinessHours | undefined,
  timeZone: string,
  firstDate: Temporal.PlainDate,
  lastDate: Temporal.PlainDate,
): OwnedSpan[] {
  const out: OwnedSpan[] = [];
  const special = new Map((hours?.special ?? []).map((d) => [d.date, d.hours] as const));
  for (
    let date = firstDate;
    Temporal.PlainDate.compare(date, lastDate) <= 0;
    date = date.add({ days: 1 })
  ) {
    const label = date.toString();
    if (!hours) {
      const start = dayStart(date, timeZone);
      const end = dayStart(date.add({ days: 1 }), timeZone);
      out.push({ start, end, date: label });
      continue;
    }
    for (const interval of planFor(hours, date, special)) {
      const minutes = intervalMinutes(interval);
      if (!minutes) continue;
      const start = localTimeToInstant(date, minutes.start, timeZone);
      const end = localTimeToInstant(date, minutes.end, timeZone);
      // An interval lying wholly inside a skipped hour has no real time at all.
      if (end > start) out.push({ start, end, date: label });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Sorted spans merged where they overlap or touch. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Owned spans of every date that can reach into [fromMs, toMs) (two days back for overnights). */
function spansAround(
  hours: BusinessHours | undefined,
  timeZone: string,
  fromMs: number,
  toMs: number,
  daysBack = 2,
): { spans: OwnedSpan[]; coveredUntil: number } {
  const first = plainDateOf(fromMs, timeZone).subtract({ days: daysBack });
  const last = plainDateOf(toMs, timeZone);
  return {
    spans: ownedSpans(hours, timeZone, first, last),
    // Dates after `last` own nothing that starts before this instant.
    coveredUntil: dayStart(last.add({ days: 1 }), timeZone),
  };
}

/**
 * The real instants the queue is open within [fromMs, toMs): sorted, disjoint, touching
 * intervals merged (mon 20:00–24:00 + tue 00:00–04:00 is one). Undefined hours = always open.
 */
export function openIntervals(
  hours: BusinessHours | undefined,
  timeZone: string,
  fromMs: number,
  toMs: number,
): Span[] {
  checkRange(fromMs, toMs);
  if (toMs <= fromMs) return [];
  if (!hours) return [{ start: fromMs, end: toMs }];
  const { spans } = spansAround(hours, timeZone, fromMs, toMs);
  return mergeSpans(spans)
    .map((s) => ({ start: Math.max(s.start, fromMs), end: Math.min(s.end, toMs) }))
    .filter((s) => s.end > s.start);
}

/** True when the queue is open at the instant `ms`. */
export function isOpenAt(hours: BusinessHours | undefined, timeZone: string, ms: number): boolean {
  return stretchAt(hours, timeZone, ms) !== undefined;
}

/**
 * The whole merged open stretch containing `ms`, or undefined when closed. `end` is Infinity
 * when the stretch runs past the one-week look-ahead (or hours are undefined: 24/7).
 */
export function stretchAt(
  hours: BusinessHours | undefined,
  timeZone: string,
  ms: number,
): Span | undefined {
  if (!hours) return { start: -Infinity, end: Infinity };
  // Most stretches end within a day; look a week ahead only when this one runs on.
  let found: Span | undefined;
  for (const aheadMs of [DAY_MS, OPEN_FOR_CAP_SECONDS * 1000 + DAY_MS]) {
    const { spans, coveredUntil } = spansAround(hours, timeZone, ms, ms + aheadMs);
    found = mergeSpans(spans).find((s) => s.start <= ms && ms < s.end);
    if (!found) return undefined;
    if (found.end < coveredUntil) return found;
  }
  return found && { start: found.start, end: Infinity };
}

/**
 * Real seconds until the current open stretch ends (rounded up, so open means ≥ 1); 0 when
 * closed. Capped at one week: a 24/7 queue answers OPEN_FOR_CAP_SECONDS (604800).
 */
export function secondsUntilClose(
  hours: BusinessHours | undefined,
  timeZone: string,
  nowMs: number,
): number {
  const stretch = stretchAt(hours, timeZone, nowMs);
  if (!stretch) return 0;
  const seconds = Math.ceil((stretch.end - nowMs) / 1000);
  return Math.min(seconds, OPEN_FOR_CAP_SECONDS);
}

/** The end of a business day: `close` instant and the local `date` whose business day ends. */
export interface BusinessDayClose {
  date: string;
  close: number;
}

/**
 * The business-day closes in [fromMs, toMs), for the end-of-day purge. A date's business day
 * closes when the open stretch holding its last interval ends, so a lunch break is not a close
 * and an overnight shift closes the next morning under its own date. Dates whose stretches end
 * together report one close under the earliest date. 24/7 queues (undefined hours) never close.
 */
export function businessDayCloses(
  hours: BusinessHours | undefined,
  timeZone: string,
  fromMs: number,
  toMs: number,
): BusinessDayClose[] {
  checkRange(fromMs, toMs);
  if (!hours || toMs <= fromMs) return [];
  // A week back finds the owner of any stretch shorter than a week.
  const { spans } = spansAround(hours, timeZone, fromMs, toMs, 8);
  const merged = mergeSpans(spans);
  const lastEndByDate = new Map<string, number>();
  for (const s of spans) {
    lastEndByDate.set(s.date, Math.max(lastEndByDate.get(s.date) ?? -Infinity, s.end));
  }
  const byClose = new Map<number, string>();
  for (const [date, lastEnd] of lastEndByDate) {
    const stretch = merged.find((m) => m.start < lastEnd && lastEnd <= m.end);
    if (!stretch || stretch.end < fromMs || stretch.end >= toMs) continue;
    const known = byClose.get(stretch.end);
    if (known === undefined || date < known) byClose.set(stretch.end, date);
  }
  return [...byClose].map(([close, date]) => ({ date, close })).sort((a, b) => a.close - b.close);
}
