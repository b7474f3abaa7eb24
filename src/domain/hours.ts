import { type Static, Type } from 'typebox';
import { Temporal } from 'temporal-polyfill';
import { type Issues, at } from './validation.js';

/** Weekday keys in ISO order (Monday first), as used in settings JSON. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = Type.Enum(WEEKDAYS, { description: 'a weekday (mon … sun)' });
export type Weekday = Static<typeof Weekday>;

export const ClockStart = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'a time in HH:MM form (00:00 to 23:59)',
});
/** An end may be "24:00", the end of the day. */
export const ClockEnd = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  description: 'a time in HH:MM form (00:00 to 24:00)',
});

/** A local interval ["HH:MM", "HH:MM"]; an end at or before the start runs into the next day. */
export const TimeInterval = Type.Tuple([ClockStart, ClockEnd], {
  description: 'a pair ["HH:MM","HH:MM"]',
});
export type TimeInterval = Static<typeof TimeInterval>;

const DayHours = Type.Array(TimeInterval, { maxItems: 48 });

/** A date whose hours replace the weekly plan for that local date ([] = closed all day). */
export const SpecialDay = Type.Object(
  {
    date: Type.String({
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
      description: 'a calendar date in YYYY-MM-DD form',
    }),
    hours: DayHours,
  },
  { additionalProperties: false },
);
export type SpecialDay = Static<typeof SpecialDay>;

/** Weekly plan plus special days; a weekday key that is absent means closed that day. */
export const BusinessHours = Type.Object(
  {
    weekly: Type.Object(
      {
        mon: Type.Optional(DayHours),
        tue: Type.Optional(DayHours),
        wed: Type.Optional(DayHours),
        thu: Type.Optional(DayHours),
        fri: Type.Optional(DayHours),
        sat: Type.Optional(DayHours),
        sun: Type.Optional(DayHours),
      },
      { additionalProperties: false },
    ),
    special: Type.Array(SpecialDay, { maxItems: 1000, default: [] }),
  },
  { additionalProperties: false },
);
export type BusinessHours = Static<typeof BusinessHours>;

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

/** Overlaps within one day's list (the schema has checked each interval's form). */
function checkIntervals(list: readonly TimeInterval[], path: string, issues: Issues): void {
  const spans: { start: number; end: number; index: number }[] = [];
  list.forEach((interval, index) => {
    const span = intervalMinutes(interval);
    if (span) spans.push({ ...span, index });
    else {
      issues.add(
        at(path, index),
        `end equals start (${interval[0]}); use ["00:00","24:00"] for a whole day`,
      );
    }
  });
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    const cur = spans[i];
    if (prev && cur && cur.start < prev.end) {
      issues.add(at(path, cur.index), `overlaps ${at(path, prev.index)}`);
    }
  }
}

/**
 * The rules of business hours JSON Schema cannot say: no empty or overlapping intervals, real
 * calendar dates, each listed once. Takes whole hours or a patch of them.
 */
export function checkBusinessHours(
  hours: {
    weekly?: Partial<Record<Weekday, readonly TimeInterval[] | null>> | null;
    special?: readonly SpecialDay[] | null;
  },
  path: string,
  issues: Issues,
): void {
  for (const [day, list] of Object.entries(hours.weekly ?? {})) {
    if (list) checkIntervals(list, at(at(path, 'weekly'), day), issues);
  }
  const seen = new Set<string>();
  (hours.special ?? []).forEach((entry, index) => {
    const p = at(at(path, 'special'), index);
    if (!parseDate(entry.date)) {
      issues.add(at(p, 'date'), `"${entry.date}" is not a calendar date in YYYY-MM-DD form`);
    } else if (seen.has(entry.date)) {
      issues.add(at(p, 'date'), `${entry.date} is listed twice`);
    }
    seen.add(entry.date);
    checkIntervals(entry.hours, at(p, 'hours'), issues);
  });
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
