import { isSupportedCountry } from 'libphonenumber-js/max';
import { PATTERN_SYNTAX, compileNumberPattern, patternFromRegex } from './number-pattern.js';
import { type Weekday, isWeekday, parseClock } from './hours.js';
import {
  type Issues,
  at,
  describe,
  isRecord,
  readBool,
  readInt,
  rejectUnknownKeys,
} from './validation.js';

// The nested parts of queue settings: capacity overrides, number rule and purge rule.

/** Capacity override: slots whose local start lies in [from, to) on one of `days` get `capacity`. */
export interface CapacityRule {
  days: Weekday[];
  from: string;
  /** "24:00" allowed; a `to` at or before `from` runs into the next day. */
  to: string;
  capacity: number;
}

/** Which numbers a queue accepts; `blocked` patterns (number-pattern.ts) match the E.164 form. */
export interface NumberRule {
  /** ISO 3166-1 alpha-2 country used for numbers written without "+". */
  defaultCountry: string;
  /** Empty means every country. */
  permittedCountries: string[];
  blocked: string[];
}

/** When waiting callbacks are completed as PURGED. */
export interface PurgeRule {
  atEndOfBusinessDay: boolean;
  /** For 24/7 queues: purge a callback after waiting this long; null = never. */
  afterMinutes: number | null;
}

/** The range of any slot capacity, shared with `slotCapacity`. */
export const CAPACITY_RANGE = { min: 0, max: 100_000 };
const MAX_BLOCKED_PATTERN_LENGTH = 200;

function readCountry(value: unknown, path: string, issues: Issues): string | undefined {
  if (typeof value === 'string' && isSupportedCountry(value.toUpperCase())) {
    return value.toUpperCase();
  }
  return issues.add(path, `${describe(value)} is not a supported ISO 3166 two-letter country code`);
}

/** Validates `numberRule`, filling defaults (US, every country, nothing blocked). */
export function parseNumberRule(value: unknown, issues: Issues): NumberRule {
  const rule: NumberRule = { defaultCountry: 'US', permittedCountries: [], blocked: [] };
  if (value === undefined || value === null) return rule;
  if (!isRecord(value)) {
    issues.add('numberRule', 'must be an object {defaultCountry, permittedCountries, blocked}');
    return rule;
  }
  rejectUnknownKeys(
    value,
    ['defaultCountry', 'permittedCountries', 'blocked'],
    'numberRule',
    issues,
  );
  if (value.defaultCountry !== undefined && value.defaultCountry !== null) {
    rule.defaultCountry =
      readCountry(value.defaultCountry, 'numberRule.defaultCountry', issues) ?? 'US';
  }
  const permitted = value.permittedCountries;
  if (permitted !== undefined && permitted !== null) {
    if (!Array.isArray(permitted)) {
      issues.add('numberRule.permittedCountries', 'must be an array of country codes');
    } else {
      permitted.forEach((c: unknown, i) => {
        const code = readCountry(c, at('numberRule.permittedCountries', i), issues);
        if (code && !rule.permittedCountries.includes(code)) rule.permittedCountries.push(code);
      });
    }
  }
  const blocked = value.blocked;
  if (blocked !== undefined && blocked !== null) {
    if (!Array.isArray(blocked)) {
      issues.add('numberRule.blocked', `must be an array of patterns: ${PATTERN_SYNTAX}`);
    } else {
      blocked.forEach((pattern: unknown, i) => {
        const p = at('numberRule.blocked', i);
        if (
          typeof pattern !== 'string' ||
          pattern.length === 0 ||
          pattern.length > MAX_BLOCKED_PATTERN_LENGTH
        ) {
          issues.add(p, `must be a pattern of 1 to ${MAX_BLOCKED_PATTERN_LENGTH} characters`);
          return;
        }
        const checked = readBlockedPattern(pattern);
        if (checked.ok) {
          if (!rule.blocked.includes(checked.pattern)) rule.blocked.push(checked.pattern);
        } else {
          issues.add(p, `${describe(pattern)} ${checked.why}`);
        }
      });
    }
  }
  return rule;
}

/**
 * A blocked pattern as given, or the exact equivalent of a regular expression written for the
 * earlier versions (which ran regular expressions, one of which could stall every booking).
 */
export function readBlockedPattern(
  text: string,
): { ok: true; pattern: string } | { ok: false; why: string } {
  if (text.startsWith('+')) {
    const compiled = compileNumberPattern(text);
    return typeof compiled === 'string'
      ? { ok: false, why: compiled }
      : { ok: true, pattern: text.replace(/\*+/g, '*') };
  }
  const converted = patternFromRegex(text);
  if (converted !== undefined) return { ok: true, pattern: converted };
  return {
    ok: false,
    why:
      'is not a blocked-number pattern, and no pattern means exactly the same as this regular ' +
      `expression (regular expressions are no longer run): write ${PATTERN_SYNTAX}, one pattern ` +
      'per alternative, matched against the whole number',
  };
}

/** Validates `capacityRule`; undefined when absent. */
export function parseCapacityRules(value: unknown, issues: Issues): CapacityRule[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    return issues.add('capacityRule', 'must be an array of {days, from, to, capacity}');
  }
  const rules: CapacityRule[] = [];
  value.forEach((entry: unknown, i) => {
    const p = at('capacityRule', i);
    if (!isRecord(entry)) {
      issues.add(p, 'must be an object {days:["mon",…], from:"HH:MM", to:"HH:MM", capacity}');
      return;
    }
    rejectUnknownKeys(entry, ['days', 'from', 'to', 'capacity'], p, issues);
    const days: Weekday[] = [];
    if (!Array.isArray(entry.days) || entry.days.length === 0) {
      issues.add(at(p, 'days'), 'must be a non-empty array of weekdays (mon … sun)');
    } else {
      entry.days.forEach((d: unknown, j) => {
        if (typeof d === 'string' && isWeekday(d)) {
          if (!days.includes(d)) days.push(d);
        } else {
          issues.add(at(at(p, 'days'), j), `${describe(d)} is not a weekday (mon … sun)`);
        }
      });
    }
    const from = typeof entry.from === 'string' ? parseClock(entry.from, false) : undefined;
    const to = typeof entry.to === 'string' ? parseClock(entry.to, true) : undefined;
    if (from === undefined) {
      issues.add(
        at(p, 'from'),
        `${describe(entry.from)} is not a time in HH:MM form (00:00 to 23:59)`,
      );
    }
    if (to === undefined) {
      issues.add(at(p, 'to'), `${describe(entry.to)} is not a time in HH:MM form (00:00 to 24:00)`);
    }
    if (from !== undefined && to !== undefined && from === to) {
      issues.add(p, 'to equals from; use "00:00" to "24:00" for a whole day');
    }
    const capacity = readInt(entry.capacity, at(p, 'capacity'), issues, CAPACITY_RANGE);
    if (entry.capacity === undefined || entry.capacity === null) {
      issues.add(at(p, 'capacity'), 'is required');
    }
    if (
      typeof entry.from === 'string' &&
      typeof entry.to === 'string' &&
      from !== undefined &&
      to !== undefined &&
      capacity !== undefined &&
      days.length > 0
    ) {
      rules.push({ days, from: entry.from, to: entry.to, capacity });
    }
  });
  return rules;
}

/** Validates `purge`, filling defaults (end of business day, no age limit). */
export function parsePurge(value: unknown, issues: Issues): PurgeRule {
  const purge: PurgeRule = { atEndOfBusinessDay: true, afterMinutes: null };
  if (value === undefined || value === null) return purge;
  if (!isRecord(value)) {
    issues.add('purge', 'must be an object {atEndOfBusinessDay, afterMinutes}');
    return purge;
  }
  rejectUnknownKeys(value, ['atEndOfBusinessDay', 'afterMinutes'], 'purge', issues);
  purge.atEndOfBusinessDay = readBool(
    value.atEndOfBusinessDay,
    'purge.atEndOfBusinessDay',
    issues,
    true,
  );
  purge.afterMinutes =
    readInt(value.afterMinutes, 'purge.afterMinutes', issues, { min: 1, max: 525_600 }) ?? null;
  return purge;
}
