import type { BusinessHours, TimeInterval, Weekday } from '../../../src/domain/hours.js';
import { parseQueueSettings, type QueueSettings } from '../../../src/domain/queue-settings.js';

export const ms = (iso: string): number => Date.parse(iso);
export const HOUR = 3600_000;
export const MIN = 60_000;

export const ALL_DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The same intervals every day of the week. */
export function everyDay(...intervals: TimeInterval[]): BusinessHours {
  const weekly: BusinessHours['weekly'] = {};
  for (const d of ALL_DAYS) weekly[d] = intervals;
  return { weekly, special: [] };
}

/** Validated settings for a test queue. */
export function queue(timezone: string, extra: Record<string, unknown> = {}): QueueSettings {
  return parseQueueSettings({ name: 'test-queue', timezone, ...extra });
}
