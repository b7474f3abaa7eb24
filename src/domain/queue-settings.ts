import { AppError } from './errors.js';
import { type BusinessHours, parseBusinessHours } from './hours.js';
import {
  type CapacityRule,
  type NumberRule,
  type PurgeRule,
  CAPACITY_RANGE,
  parseCapacityRules,
  parseNumberRule,
  parsePurge,
} from './settings-rules.js';
import { canonicalTimeZone } from './time.js';
import {
  Issues,
  describe,
  isRecord,
  readBool,
  readInt,
  readOptionalString,
  rejectUnknownKeys,
} from './validation.js';

export type { BusinessHours, SpecialDay, TimeInterval, Weekday } from './hours.js';
export type { CapacityRule, NumberRule, PurgeRule } from './settings-rules.js';

export type DuplicateCheck = 'lenient' | 'strict' | 'off';

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
  slotCapacity: [CAPACITY_RANGE.min, CAPACITY_RANGE.max, 10],
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
