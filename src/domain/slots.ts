import type { Temporal } from 'temporal-polyfill';
import { type Span, checkRange, ownedSpans } from './calendar.js';
import { AppError } from './errors.js';
import { type BusinessHours, type Weekday, WEEKDAYS, parseClock, weekdayOf } from './hours.js';
import type { CapacityRule, QueueSettings } from './queue-settings.js';
import { DAY_MS, MINUTE_MS, plainDateOf, zoned } from './time.js';

/** A bookable slot: real instants [start, end) and its total capacity. */
export interface Slot {
  start: number;
  end: number;
  capacity: number;
}

/** The settings slot generation reads. */
export type SlotSettings = Pick<
  QueueSettings,
  'timezone' | 'businessHours' | 'slotDurationMinutes' | 'slotCapacity' | 'capacityRule'
>;

// Each owned business interval is tiled from its own start, so a slot grid never depends on the
// range a caller asks for. Where intervals overlap, the later one is tiled from the end of the
// earlier one, which keeps every slot disjoint.
function tilingSpans(owned: readonly Span[]): Span[] {
  const out: Span[] = [];
  let reach = -Infinity;
  for (const s of owned) {
    const start = Math.max(s.start, reach);
    if (s.end > start) out.push({ start, end: s.end });
    reach = Math.max(reach, s.end);
  }
  return out;
}

/**
 * The slots starting in [max(fromMs, nowMs), toMs), in order. A slot is slotDurationMinutes of
 * real time tiled from the start of its business interval; a trailing remainder shorter than that
 * is not a slot, and a slot that has already started is not offered. 24/7 queues tile each local
 * day from its midnight.
 */
export function slots(settings: SlotSettings, fromMs: number, toMs: number, nowMs: number): Slot[] {
  checkRange(fromMs, toMs);
  const lo = Math.max(fromMs, nowMs);
  if (toMs <= lo) return [];
  const tz = settings.timezone;
  const grid = slotGrid(settings, plainDateOf(lo, tz), plainDateOf(toMs, tz));
  return grid.slice(firstStartingFrom(grid, lo), firstStartingFrom(grid, toMs));
}

/** The index of the first slot of an ordered grid starting at or after `ms` (its length if none). */
function firstStartingFrom(grid: readonly Slot[], ms: number): number {
  let lo = 0;
  let hi = grid.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((grid[mid]?.start ?? Infinity) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The grid of a run of local dates depends only on the slot settings and the dates; availability
// asks for the same days again and again, so each grid is tiled once per hours object (equal hours
// are one object, services/queues.ts) and the rest of the slot settings: queues with the same
// slots share their grids instead of holding one each (bench/README.md).
const grids = new WeakMap<BusinessHours, Map<string, Map<string, readonly Slot[]>>>();
const allDayGrids = new Map<string, Map<string, readonly Slot[]>>();
const gridKeys = new WeakMap<SlotSettings, string>();
const GRID_MEMO_LIMIT = 1_000;

/** The grids of the slot settings other than the hours, by the local dates they cover. */
function gridMemo(settings: SlotSettings): Map<string, readonly Slot[]> {
  let key = gridKeys.get(settings);
  if (key === undefined) {
    const { timezone, slotDurationMinutes, slotCapacity, capacityRule } = settings;
    key = JSON.stringify([timezone, slotDurationMinutes, slotCapacity, capacityRule ?? null]);
    gridKeys.set(settings, key);
  }
  let byKey = allDayGrids;
  const hours = settings.businessHours;
  if (hours) {
    const forHours = grids.get(hours) ?? new Map<string, Map<string, readonly Slot[]>>();
    if (!grids.has(hours)) grids.set(hours, forHours);
    byKey = forHours;
  }
  let memo = byKey.get(key);
  if (!memo) {
    if (byKey.size >= GRID_MEMO_LIMIT) byKey.clear();
    memo = new Map();
    byKey.set(key, memo);
  }
  return memo;
}
// plainDateOf hands out the same date object all through a quarter hour: its text is made once.
const dateTexts = new WeakMap<Temporal.PlainDate, string>();

function dateText(date: Temporal.PlainDate): string {
  let text = dateTexts.get(date);
  if (text === undefined) {
    text = date.toString();
    dateTexts.set(date, text);
  }
  return text;
}

/**
 * Every slot, in order, tiled over the business intervals owned by the local dates from two
 * before `from` (reaching overnight intervals and whatever they overlap) to `last`.
 */
function slotGrid(
  settings: SlotSettings,
  from: Temporal.PlainDate,
  last: Temporal.PlainDate,
): readonly Slot[] {
  const memo = gridMemo(settings);
  const key = `${dateText(from)} ${dateText(last)}`;
  const known = memo.get(key);
  if (known) return known;
  const step = settings.slotDurationMinutes * MINUTE_MS;
  // Settings are validated, but a zero step would never end the loop below.
  if (!(step >= MINUTE_MS)) {
    throw new AppError('INVALID_PARAMETER', 'slotDurationMinutes: must be at least 1');
  }
  const first = from.subtract({ days: 2 });
  const owned = ownedSpans(settings.businessHours, settings.timezone, first, last);
  const out: Slot[] = [];
  for (const span of tilingSpans(owned)) {
    const capacityAt = capacityReader(settings, span);
    for (let t = span.start; t + step <= span.end; t += step) {
      out.push(Object.freeze({ start: t, end: t + step, capacity: capacityAt(t) }));
    }
  }
  if (memo.size >= GRID_MEMO_LIMIT) memo.clear();
  memo.set(key, out);
  return out;
}

// Converting every slot start to local time is the slow part of a month of 5-minute slots; when
// the UTC offset is the same at both ends of a span, plain arithmetic on the offset gives the
// same local clock.
function capacityReader(settings: SlotSettings, span: Span): (startMs: number) => number {
  const rules = settings.capacityRule;
  if (!rules || rules.length === 0) return () => settings.slotCapacity;
  const offset = zoned(span.start, settings.timezone).offsetNanoseconds / 1e6;
  if (zoned(span.end, settings.timezone).offsetNanoseconds / 1e6 !== offset) {
    return (t) => slotCapacityAt(settings, t);
  }
  return (t) => {
    const local = t + offset;
    const dayIndex = Math.floor(local / DAY_MS);
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    const day = WEEKDAYS[(((dayIndex + 3) % 7) + 7) % 7] ?? 'mon';
    const minute = Math.floor((local - dayIndex * DAY_MS) / MINUTE_MS);
    return capacityFor(rules, settings.slotCapacity, day, minute);
  };
}

function capacityFor(
  rules: readonly CapacityRule[],
  fallback: number,
  day: Weekday,
  minute: number,
): number {
  return rules.find((r) => ruleMatches(r, day, minute))?.capacity ?? fallback;
}

/** The slot whose span holds `ms` (started or not), or undefined outside every slot. */
export function slotContaining(settings: SlotSettings, ms: number): Slot | undefined {
  const step = settings.slotDurationMinutes * MINUTE_MS;
  return slots(settings, ms - step + 1, ms + 1, ms - step + 1).find(
    (s) => s.start <= ms && ms < s.end,
  );
}

function previousWeekday(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7] ?? 'sun';
}

function ruleMatches(rule: CapacityRule, day: Weekday, minute: number): boolean {
  const from = parseClock(rule.from, false);
  const to = parseClock(rule.to, true);
  if (from === undefined || to === undefined || from === to) return false;
  if (from < to) return rule.days.includes(day) && from <= minute && minute < to;
  // A window crossing midnight belongs to the day it starts on.
  return (
    (rule.days.includes(day) && minute >= from) ||
    (rule.days.includes(previousWeekday(day)) && minute < to)
  );
}

/** Total capacity of a slot starting at `startMs`: the first capacityRule matching its local start, else slotCapacity. */
export function slotCapacityAt(
  settings: Pick<QueueSettings, 'timezone' | 'slotCapacity' | 'capacityRule'>,
  startMs: number,
): number {
  const rules = settings.capacityRule;
  if (!rules || rules.length === 0) return settings.slotCapacity;
  const local = zoned(startMs, settings.timezone);
  const day = weekdayOf(local.toPlainDate());
  return capacityFor(rules, settings.slotCapacity, day, local.hour * 60 + local.minute);
}
