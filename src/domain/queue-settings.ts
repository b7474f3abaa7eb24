import { isSupportedCountry } from 'libphonenumber-js/max';
import { AppError } from './errors.js';
import {
  type BusinessHours,
  type Weekday,
  isWeekday,
  parseBusinessHours,
  parseClock,
} from './hours.js';
import { canonicalTimeZone } from './time.js';
import {
  Issues,
  at,
  describe,
  isRecord,
  readBool,
  readInt,
  readOptionalString,
  rejectUnknownKeys,
} from './validation.js';

export type { BusinessHours, SpecialDay, TimeInterval, Weekday } from './hours.js';

/** Capacity override: slots whose local start lies in [from, to) on one of `days` get `capacity`. */
export interface CapacityRule {
  days: Weekday[];
  from: string;
  /** "24:00" allowed; a `to` at or before `from` runs into the next day. */
  to: string;
  capacity: number;
}

export type DuplicateCheck = 'lenient' | 'strict' | 'off';

/** Which numbers a queue accepts; `blocked` regexes are matched against the E.164 form. */
export interface NumberRule {
  /** ISO 3166-1 alpha-2 country used for numbers written without "+". */
  defaultCountry: string;
  /** Empty means every country. */
  permittedCountries: string[];
  blocked: string[];
}

export interface PurgeRule {
  atEndOfBusinessDay: boolean;
  /** For 24/7 queues: purge a callback after waiting this long; null = never. */
  afterMinutes: number | null;
}

/** One queue's settings (the CALLBACK_SETTINGS row); field names are the public JSON contract. */
export interface QueueSettings {
  name: string;
  timezone: string;
  /** Absent = open 24/7. */
  businessHours?: BusinessHours;
  immediateEnabled: boolean;
  scheduledEnabled: boolean;
  slotDurationMinutes: number;
  slotCapacity: number;
  /** First matching rule wins; slots no rule matches get slotCapacity. */
  capacityRule?: CapacityRule[];
  immediateOfferHours?: BusinessHours;
  immediateBlackoutMinutes: number;
  maxEwtSeconds?: number;
  enforceCapacityOnCreate: boolean;
  duplicateCheck: DuplicateCheck;
  /** 0 turns the throttle off. */
  throttlePerNumberPerDay: number;
  maxQueuedImmediate: number;
  maxScheduleAheadDays: number;
  numberRule: NumberRule;
  maxAttempts: number;
  retryDelaySeconds: number;
  /** Counted from the desired time. */
  ttlSeconds: number;
  purge: PurgeRule;
  pushThresholdMinutes: number;
  priority: number;
  routePoint?: string;
  surveyRoutePoint?: string;
  retentionDays: number;
}

const FIELDS = [
  'name',
  'timezone',
  'businessHours',
  'immediateEnabled',
  'scheduledEnabled',
  'slotDurationMinutes',
  'slotCapacity',
  'capacityRule',
  'immediateOfferHours',
  'immediateBlackoutMinutes',
  'maxEwtSeconds',
  'enforceCapacityOnCreate',
  'duplicateCheck',
  'throttlePerNumberPerDay',
  'maxQueuedImmediate',
  'maxScheduleAheadDays',
  'numberRule',
  'maxAttempts',
  'retryDelaySeconds',
  'ttlSeconds',
  'purge',
  'pushThresholdMinutes',
  'priority',
  'routePoint',
  'surveyRoutePoint',
  'retentionDays',
] as const satisfies readonly (keyof QueueSettings)[];

/** Limits of every numeric setting: [min, max, default]. */
export const NUMERIC_LIMITS = {
  slotDurationMinutes: [5, 120, 15],
  slotCapacity: [0, 100_000, 10],
  immediateBlackoutMinutes: [0, 1440, 0],
  throttlePerNumberPerDay: [0, 1000, 6],
  maxQueuedImmediate: [0, 1_000_000, 1000],
  maxScheduleAheadDays: [1, 365, 30],
  maxAttempts: [1, 100, 3],
  retryDelaySeconds: [0, 604_800, 300],
  ttlSeconds: [60, 31_536_000, 86_400],
  pushThresholdMinutes: [0, 1440, 5],
  priority: [0, 1_000_000, 0],
  retentionDays: [1, 3650, 30],
} as const satisfies Record<string, readonly [number, number, number]>;

const MAX_EWT_LIMIT = 604_800;
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const DUPLICATE_CHECKS: readonly DuplicateCheck[] = ['lenient', 'strict', 'off'];
const MAX_BLOCKED_PATTERN_LENGTH = 200;

function isDuplicateCheck(value: unknown): value is DuplicateCheck {
  return typeof value === 'string' && (DUPLICATE_CHECKS as readonly string[]).includes(value);
}

function readNumeric(
  input: Record<string, unknown>,
  key: keyof typeof NUMERIC_LIMITS,
  issues: Issues,
): number {
  const [min, max, fallback] = NUMERIC_LIMITS[key];
  return readInt(input[key], key, issues, { min, max }, fallback);
}

function readCountry(value: unknown, path: string, issues: Issues): string | undefined {
  if (typeof value === 'string' && isSupportedCountry(value.toUpperCase())) {
    return value.toUpperCase();
  }
  return issues.add(path, `${describe(value)} is not a supported ISO 3166 two-letter country code`);
}

function parseNumberRule(value: unknown, issues: Issues): NumberRule {
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
      issues.add('numberRule.blocked', 'must be an array of regular expressions');
    } else {
      blocked.forEach((pattern: unknown, i) => {
        const p = at('numberRule.blocked', i);
        if (
          typeof pattern !== 'string' ||
          pattern.length === 0 ||
          pattern.length > MAX_BLOCKED_PATTERN_LENGTH
        ) {
          issues.add(
            p,
            `must be a regular expression of 1 to ${MAX_BLOCKED_PATTERN_LENGTH} characters`,
          );
          return;
        }
        try {
          new RegExp(pattern);
          rule.blocked.push(pattern);
        } catch (e) {
          const why = e instanceof Error ? e.message : 'syntax error';
          issues.add(p, `${describe(pattern)} is not a valid regular expression (${why})`);
        }
      });
    }
  }
  return rule;
}

function parseCapacityRules(value: unknown, issues: Issues): CapacityRule[] | undefined {
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
    const [min, max] = NUMERIC_LIMITS.slotCapacity;
    const capacity = readInt(entry.capacity, at(p, 'capacity'), issues, { min, max });
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

function parsePurge(value: unknown, issues: Issues): PurgeRule {
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

/**
 * Validates queue settings JSON and fills the SPEC defaults; throws AppError INVALID_PARAMETER
 * naming every bad field. `defaultTimezone` (the tenant's) applies when `timezone` is absent.
 */
export function parseQueueSettings(
  input: unknown,
  opts: { defaultTimezone?: string } = {},
): QueueSettings {
  if (!isRecord(input)) {
    throw new AppError('INVALID_PARAMETER', 'queue settings must be a JSON object');
  }
  const issues = new Issues();
  rejectUnknownKeys(input, FIELDS, '', issues);

  const name = typeof input.name === 'string' && NAME_PATTERN.test(input.name) ? input.name : '';
  if (name === '') {
    issues.add('name', 'must be 1 to 64 characters of A-Z, a-z, 0-9, "_", "." or "-"');
  }

  let timezone = '';
  const rawZone = input.timezone ?? opts.defaultTimezone;
  if (rawZone === undefined || rawZone === null) {
    issues.add('timezone', 'is required (an IANA time zone such as "America/New_York")');
  } else {
    timezone = (typeof rawZone === 'string' ? canonicalTimeZone(rawZone) : undefined) ?? '';
    if (timezone === '') {
      issues.add(
        'timezone',
        `${describe(rawZone)} is not an IANA time zone (e.g. "Europe/Berlin")`,
      );
    }
  }

  const hoursOrUndefined = (key: 'businessHours' | 'immediateOfferHours') =>
    input[key] === undefined || input[key] === null
      ? undefined
      : parseBusinessHours(input[key], key, issues);

  let duplicateCheck: DuplicateCheck = 'lenient';
  if (input.duplicateCheck !== undefined && input.duplicateCheck !== null) {
    if (isDuplicateCheck(input.duplicateCheck)) duplicateCheck = input.duplicateCheck;
    else
      issues.add(
        'duplicateCheck',
        `must be "lenient", "strict" or "off" (got ${describe(input.duplicateCheck)})`,
      );
  }

  const businessHours = hoursOrUndefined('businessHours');
  const capacityRule = parseCapacityRules(input.capacityRule, issues);
  const immediateOfferHours = hoursOrUndefined('immediateOfferHours');
  const maxEwtSeconds = readInt(input.maxEwtSeconds, 'maxEwtSeconds', issues, {
    min: 0,
    max: MAX_EWT_LIMIT,
  });
  const routePoint = readOptionalString(input.routePoint, 'routePoint', issues, 255);
  const surveyRoutePoint = readOptionalString(
    input.surveyRoutePoint,
    'surveyRoutePoint',
    issues,
    255,
  );
  // Optional settings that are absent stay absent (not undefined), so JSON round trips are exact.
  const settings: QueueSettings = {
    name,
    timezone,
    ...(businessHours && { businessHours }),
    immediateEnabled: readBool(input.immediateEnabled, 'immediateEnabled', issues, true),
    scheduledEnabled: readBool(input.scheduledEnabled, 'scheduledEnabled', issues, true),
    slotDurationMinutes: readNumeric(input, 'slotDurationMinutes', issues),
    slotCapacity: readNumeric(input, 'slotCapacity', issues),
    ...(capacityRule && { capacityRule }),
    ...(immediateOfferHours && { immediateOfferHours }),
    immediateBlackoutMinutes: readNumeric(input, 'immediateBlackoutMinutes', issues),
    ...(maxEwtSeconds !== undefined && { maxEwtSeconds }),
    enforceCapacityOnCreate: readBool(
      input.enforceCapacityOnCreate,
      'enforceCapacityOnCreate',
      issues,
      false,
    ),
    duplicateCheck,
    throttlePerNumberPerDay: readNumeric(input, 'throttlePerNumberPerDay', issues),
    maxQueuedImmediate: readNumeric(input, 'maxQueuedImmediate', issues),
    maxScheduleAheadDays: readNumeric(input, 'maxScheduleAheadDays', issues),
    numberRule: parseNumberRule(input.numberRule, issues),
    maxAttempts: readNumeric(input, 'maxAttempts', issues),
    retryDelaySeconds: readNumeric(input, 'retryDelaySeconds', issues),
    ttlSeconds: readNumeric(input, 'ttlSeconds', issues),
    purge: parsePurge(input.purge, issues),
    pushThresholdMinutes: readNumeric(input, 'pushThresholdMinutes', issues),
    priority: readNumeric(input, 'priority', issues),
    ...(routePoint !== undefined && { routePoint }),
    ...(surveyRoutePoint !== undefined && { surveyRoutePoint }),
    retentionDays: readNumeric(input, 'retentionDays', issues),
  };
  issues.throwIfAny();
  return settings;
}

/**
 * Applies a JSON Merge Patch (RFC 7396) to current settings and re-validates: objects merge
 * key by key, arrays and scalars replace, null removes (so an optional field returns to its
 * default, e.g. `businessHours: null` makes the queue 24/7).
 */
export function mergeQueueSettings(
  current: QueueSettings,
  patch: unknown,
  opts: { defaultTimezone?: string } = {},
): QueueSettings {
  if (!isRecord(patch)) {
    throw new AppError('INVALID_PARAMETER', 'a settings patch must be a JSON object');
  }
  const merged = mergePatch(current, patch);
  return parseQueueSettings(merged, { defaultTimezone: opts.defaultTimezone ?? current.timezone });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    // defineProperty keeps a "__proto__" key an own (and then rejected) field, not a prototype.
    else
      Object.defineProperty(out, key, {
        value: mergePatch(out[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}
