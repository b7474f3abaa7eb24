import { Temporal } from 'temporal-polyfill';
import { AppError } from './errors.js';
import { type BusinessHours, intervalMinutes, weekdayOf } from './hours.js';
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
  for (
    let date = firstDate;
    Temporal.PlainDate.compare(date, lastDate) <= 0;
    date = date.add({ days: 1 })
  ) {
    out.push(...spansOfDate(hours, timeZone, date));
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

// One date's spans depend only on (hours, zone, date), and converting local times to instants is
// the costly part of every calendar question, so each date is computed once per settings object
// (queue settings are cached objects; a WeakMap lets old ones go) and per zone for 24/7 queues.
const spansByHours = new WeakMap<BusinessHours, Map<string, readonly OwnedSpan[]>>();
const allDaySpans = new Map<string, readonly OwnedSpan[]>();
const MEMO_LIMIT = 20_000;

function remember(
  memo: Map<string, readonly OwnedSpan[]>,
  key: string,
  compute: () => OwnedSpan[],
): readonly OwnedSpan[] {
  const known = memo.get(key);
  if (known) return known;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const spans = compute().map((s) => Object.freeze(s));
  memo.set(key, spans);
  return spans;
}

/** The business intervals one local date owns, in real time (see ownedSpans). */
function spansOfDate(
  hours: BusinessHours | undefined,
  timeZone: string,
  date: Temporal.PlainDate,
): readonly OwnedSpan[] {
  const label = date.toString();
  if (!hours) {
    return remember(allDaySpans, `${timeZone} ${label}`, () => [
      {
        start: dayStart(date, timeZone),
        end: dayStart(date.add({ days: 1 }), timeZone),
        date: label,
      },
    ]);
  }
  let memo = spansByHours.get(hours);
  if (!memo) {
    memo = new Map();
    spansByHours.set(hours, memo);
  }
  return remember(memo, `${timeZone} ${label}`, () => {
    const special = hours.special?.find((d) => d.date === label)?.hours;
    const out: OwnedSpan[] = [];
    for (const interval of special ?? hours.weekly[weekdayOf(date)] ?? []) {
      const minutes = intervalMinutes(interval);
      if (!minutes) continue;
      const start = localTimeToInstant(date, minutes.start, timeZone);
      const end = localTimeToInstant(date, minutes.end, timeZone);
      // An interval lying wholly inside a skipped hour has no real time at all.
      if (end > start) out.push({ start, end, date: label });
    }
    return out;
  });
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
  const memo = stretchMemo(hours, timeZone);
  const known = memo.find((a) => a.from <= ms && ms < a.until);
  if (known) return known.stretch;
  const answer = computeStretch(hours, timeZone, ms);
  if (memo.length >= STRETCH_MEMO_SIZE) memo.shift();
  memo.push(answer);
  return answer.stretch;
}

/** A stretchAt answer and the instants [from, until) for which it holds. */
interface StretchAnswer {
  from: number;
  until: number;
  stretch: Span | undefined;
}

// "Now" moves slowly through the same few stretches and gaps, so the last answers per settings
// object and zone answer almost every question without touching the calendar again.
const stretchAnswers = new WeakMap<BusinessHours, Map<string, StretchAnswer[]>>();
const STRETCH_MEMO_SIZE = 16;

function stretchMemo(hours: BusinessHours, timeZone: string): StretchAnswer[] {
  let byZone = stretchAnswers.get(hours);
  if (!byZone) {
    byZone = new Map();
    stretchAnswers.set(hours, byZone);
  }
  let memo = byZone.get(timeZone);
  if (!memo) {
    memo = [];
    byZone.set(timeZone, memo);
  }
  return memo;
}

function computeStretch(hours: BusinessHours, timeZone: string, ms: number): StretchAnswer {
  // Most stretches end within a day; look a week ahead only when this one runs on.
  let found: Span | undefined;
  for (const aheadMs of [DAY_MS, OPEN_FOR_CAP_SECONDS * 1000 + DAY_MS]) {
    const { spans, coveredUntil } = spansAround(hours, timeZone, ms, ms + aheadMs);
    const merged = mergeSpans(spans);
    found = merged.find((s) => s.start <= ms && ms < s.end);
    if (!found) {
      // Closed until the next stretch starts (or as far as we looked), since the last one ended.
      const next = merged.find((s) => s.start > ms)?.start ?? coveredUntil;
      const prev = merged.filter((s) => s.end <= ms).at(-1)?.end ?? ms;
      return { from: prev, until: Math.min(next, coveredUntil), stretch: undefined };
    }
    if (found.end < coveredUntil) return { from: found.start, until: found.end, stretch: found };
  }
  const stretch = found && { start: found.start, end: Infinity };
  // A stretch longer than the look-ahead: only the instant asked about is known for sure.
  return { from: ms, until: ms + 1, stretch };
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
