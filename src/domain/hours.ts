import { Temporal } from 'temporal-polyfill';
import { type Issues, at, describe, isRecord, rejectUnknownKeys } from './validation.js';

/** Weekday keys in ISO order (Monday first), as used in settings JSON. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A local interval ["HH:MM", "HH:MM"]; an end at or before the start runs into the next day. */
export type TimeInterval = [string, string];

/** A date whose hours replace the weekly plan for that local date ([] = closed all day). */
export interface SpecialDay {
  date: string;
  hours: TimeInterval[];
}

/** Weekly plan plus special days; a weekday key that is absent means closed that day. */
export interface BusinessHours {
  weekly: Partial<Record<Weekday, TimeInterval[]>>;
  special: SpecialDay[];
}

const MAX_INTERVALS_PER_DAY = 48;
const MAX_SPECIAL_DAYS = 1000;

/** Type guard for the weekday keys of settings JSON. */
export function isWeekday(key: string): key is Weekday {
  return (WEEKDAYS as readonly string[]).includes(key);
}

/** The weekday key of a local date. */
export function weekdayOf(date: Temporal.PlainDate): Weekday {
  return WEEKDAYS[date.dayOfWeek - 1] ?? 'mon';
}

/** Minutes after local midnight of "HH:MM" (00:00–23:59; "24:00" only when it may end a day). */
export function parseClock(text: string, allowEndOfDay: boolean): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59) return undefined;
  if (minutes < 1440 || (allowEndOfDay && minutes === 1440)) return minutes;
  return undefined;
}

/** [start, end) in minutes after the owning day's midnight; end > 1440 when it crosses midnight. */
export function intervalMinutes(
  interval: TimeInterval,
): { start: number; end: number } | undefined {
  const start = parseClock(interval[0], false);
  const end = parseClock(interval[1], true);
  if (start === undefined || end === undefined || start === end) return undefined;
  return { start, end: end > start ? end : end + 1440 };
}

/** Validates one day's list of intervals (shape, HH:MM, non-empty, no overlap within the list). */
export function parseIntervalList(
  value: unknown,
  path: string,
  issues: Issues,
): TimeInterval[] | undefined {
  if (!Array.isArray(value)) return issues.add(path, 'must be an array of ["HH:MM","HH:MM"] pairs');
  if (value.length > MAX_INTERVALS_PER_DAY) {
    return issues.add(path, `at most ${MAX_INTERVALS_PER_DAY} intervals per day`);
  }
  const out: TimeInterval[] = [];
  const spans: { start: number; end: number; index: number }[] = [];
  value.forEach((item: unknown, index) => {
    const p = at(path, index);
    if (
      !Array.isArray(item) ||
      item.length !== 2 ||
      typeof item[0] !== 'string' ||
      typeof item[1] !== 'string'
    ) {
      issues.add(p, 'must be a pair ["HH:MM","HH:MM"]');
      return;
    }
    const [from, to] = [item[0], item[1]];
    const start = parseClock(from, false);
    const end = parseClock(to, true);
    if (start === undefined) {
      issues.add(
        at(p, 0),
        from === '24:00'
          ? '"24:00" may only end an interval'
          : `${describe(from)} is not a time in HH:MM form (00:00 to 23:59)`,
      );
    }
    if (end === undefined) {
      issues.add(at(p, 1), `${describe(to)} is not a time in HH:MM form (00:00 to 24:00)`);
    }
    if (start === undefined || end === undefined) return;
    if (start === end) {
      issues.add(p, `end equals start (${from}); use ["00:00","24:00"] for a whole day`);
      return;
    }
    spans.push({ start, end: end > start ? end : end + 1440, index });
    out.push([from, to]);
  });
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    const cur = spans[i];
    if (prev && cur && cur.start < prev.end) {
      issues.add(at(path, cur.index), `overlaps ${at(path, prev.index)}`);
    }
  }
  return out;
}

/** A strict "YYYY-MM-DD" calendar date, or undefined. */
export function parseDate(text: string): Temporal.PlainDate | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  try {
    return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

/** Validates a businessHours-shaped object; undefined (with issues) when invalid. */
export function parseBusinessHours(
  value: unknown,
  path: string,
  issues: Issues,
): BusinessHours | undefined {
  if (!isRecord(value)) {
    return issues.add(path, 'must be an object {weekly:{mon:[["09:00","17:00"]],…}, special:[…]}');
  }
  rejectUnknownKeys(value, ['weekly', 'special'], path, issues);
  const weekly: Partial<Record<Weekday, TimeInterval[]>> = {};
  const weeklyPath = at(path, 'weekly');
  if (!isRecord(value.weekly)) {
    issues.add(weeklyPath, 'is required: an object keyed by mon, tue, wed, thu, fri, sat, sun');
  } else {
    for (const [key, list] of Object.entries(value.weekly)) {
      if (!isWeekday(key)) {
        issues.add(at(weeklyPath, key), 'unknown weekday (use mon, tue, wed, thu, fri, sat, sun)');
        continue;
      }
      const parsed = parseIntervalList(list, at(weeklyPath, key), issues);
      if (parsed) weekly[key] = parsed;
    }
  }
  const special: SpecialDay[] = [];
  const specialPath = at(path, 'special');
  if (value.special !== undefined && value.special !== null) {
    if (!Array.isArray(value.special)) {
      issues.add(specialPath, 'must be an array of {date:"YYYY-MM-DD", hours:[…]}');
    } else if (value.special.length > MAX_SPECIAL_DAYS) {
      issues.add(specialPath, `at most ${MAX_SPECIAL_DAYS} special days`);
    } else {
      const seen = new Set<string>();
      value.special.forEach((entry: unknown, index) => {
        const p = at(specialPath, index);
        if (!isRecord(entry)) {
          issues.add(p, 'must be an object {date:"YYYY-MM-DD", hours:[…]}');
          return;
        }
        rejectUnknownKeys(entry, ['date', 'hours'], p, issues);
        const date = typeof entry.date === 'string' ? parseDate(entry.date) : undefined;
        if (!date) {
          issues.add(
            at(p, 'date'),
            `${describe(entry.date)} is not a calendar date in YYYY-MM-DD form`,
          );
        } else if (seen.has(date.toString())) {
          issues.add(at(p, 'date'), `${date.toString()} is listed twice`);
        }
        const hours = parseIntervalList(entry.hours, at(p, 'hours'), issues);
        if (date && hours) {
          seen.add(date.toString());
          special.push({ date: date.toString(), hours });
        }
      });
    }
  }
  return { weekly, special };
}
