import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from './errors.js';
import { BusinessHours, checkBusinessHours } from './hours.js';
import { type MergePatch, mergePatch, mergePatchSchema } from './merge-patch.js';
import {
  CAPACITY_RANGE,
  CapacityRule,
  NumberRule,
  PurgeRule,
  checkCapacityRules,
  checkNumberRule,
  normalizeNumberRule,
} from './settings-rules.js';
import { canonicalTimeZone } from './time.js';
import { Issues, checkSchema, isRecord, matches } from './validation.js';

export type { SpecialDay, TimeInterval, Weekday } from './hours.js';
export { BusinessHours, CapacityRule, NumberRule, PurgeRule };

/** An integer setting: its range and the default a new queue gets. */
function Int(minimum: number, maximum: number, defaultValue: number) {
  return Type.Integer({ minimum, maximum, default: defaultValue });
}

const RoutePoint = Type.String({ minLength: 1, maxLength: 255 });

const DUPLICATE_CHECKS = ['lenient', 'strict', 'off'] as const;
export type DuplicateCheck = (typeof DUPLICATE_CHECKS)[number];

/**
 * One queue's settings (the CALLBACK_SETTINGS row), as stored and returned; field names are the
 * public JSON contract. A field with a default may be left out of a new queue's settings.
 */
export const QueueSettings = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      description: 'a name of 1 to 64 characters of A-Z, a-z, 0-9, "_", "." or "-"',
    }),
    /** The tenant's zone when a new queue names none. */
    timezone: Type.String({
      maxLength: 64,
      description: 'an IANA time zone (e.g. "Europe/Berlin")',
    }),
    /** Absent = open 24/7. */
    businessHours: Type.Optional(BusinessHours),
    immediateEnabled: Type.Boolean({ default: true }),
    scheduledEnabled: Type.Boolean({ default: true }),
    slotDurationMinutes: Int(5, 120, 15),
    slotCapacity: Int(CAPACITY_RANGE.minimum, CAPACITY_RANGE.maximum, 10),
    /** First matching rule wins; slots no rule matches get slotCapacity. */
    capacityRule: Type.Optional(Type.Array(CapacityRule)),
    immediateOfferHours: Type.Optional(BusinessHours),
    immediateBlackoutMinutes: Int(0, 1440, 0),
    maxEwtSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
    enforceCapacityOnCreate: Type.Boolean({ default: false }),
    duplicateCheck: Type.Enum(DUPLICATE_CHECKS, {
      description: 'one of "lenient", "strict", "off"',
      default: 'lenient',
    }),
    /** 0 turns the throttle off. */
    throttlePerNumberPerDay: Int(0, 1000, 6),
    maxQueuedImmediate: Int(0, 1_000_000, 1000),
    maxScheduleAheadDays: Int(1, 365, 30),
    numberRule: NumberRule,
    maxAttempts: Int(1, 100, 3),
    retryDelaySeconds: Int(0, 604_800, 300),
    /** Counted from the desired time. */
    ttlSeconds: Int(60, 31_536_000, 86_400),
    purge: PurgeRule,
    pushThresholdMinutes: Int(0, 1440, 5),
    priority: Int(0, 1_000_000, 0),
    routePoint: Type.Optional(RoutePoint),
    surveyRoutePoint: Type.Optional(RoutePoint),
    retentionDays: Int(1, 3650, 30),
  },
  { additionalProperties: false },
);
export type QueueSettings = Static<typeof QueueSettings>;

/**
 * A new queue's settings, or a change to a queue's: a JSON Merge Patch (RFC 7396) of the settings.
 * Nested objects merge key by key, arrays and scalars replace, null removes (an optional field
 * returns to its default, e.g. `businessHours: null` makes the queue 24/7).
 */
export const QueueSettingsPatch = mergePatchSchema(QueueSettings, {
  description: 'Queue settings; fields left out keep their value (or default), null removes one',
});
export type QueueSettingsPatch = MergePatch<QueueSettings>;

/**
 * The rules JSON Schema cannot say, on whole settings or a patch of them: real IANA zones, hours
 * without overlaps, countries that exist, patterns that compile; with the schema pass, one answer
 * names every problem.
 */
function secondPass(settings: QueueSettingsPatch, issues: Issues): void {
  // Only fields that are whole and well-formed: the schema pass has named the others.
  const whole = <K extends keyof QueueSettings>(key: K): QueueSettings[K] | undefined => {
    const value = settings[key];
    return value !== undefined && matches(QueueSettings.properties[key], value)
      ? (value as QueueSettings[K])
      : undefined;
  };
  const timezone = whole('timezone');
  if (timezone !== undefined && !canonicalTimeZone(timezone)) {
    issues.add('timezone', `"${timezone}" is not an IANA time zone (e.g. "Europe/Berlin")`);
  }
  for (const key of ['businessHours', 'immediateOfferHours'] as const) {
    const hours = whole(key);
    if (hours) checkBusinessHours(hours, key, issues);
  }
  const capacityRule = whole('capacityRule');
  if (capacityRule) checkCapacityRules(capacityRule, issues);
  const numberRule = whole('numberRule');
  if (numberRule) checkNumberRule(numberRule, issues);
}

/** Checked settings in their one form: canonical zone, upper-case countries, each day once. */
function normalize(settings: QueueSettings): QueueSettings {
  const { capacityRule } = settings;
  return {
    ...settings,
    timezone: canonicalTimeZone(settings.timezone) ?? settings.timezone,
    numberRule: normalizeNumberRule(settings.numberRule),
    ...(capacityRule && {
      capacityRule: capacityRule.map((rule) => ({ ...rule, days: [...new Set(rule.days)] })),
    }),
  };
}

/** Every problem of a settings patch on its own (before it meets the settings it changes). */
export function checkQueueSettingsPatch(patch: unknown): Issues {
  const issues = new Issues();
  if (!isRecord(patch)) issues.add('settings', 'must be a JSON object');
  else {
    checkSchema(QueueSettingsPatch, patch, issues);
    secondPass(patch, issues);
  }
  return issues;
}

/**
 * Validates queue settings JSON and fills the SPEC defaults; throws AppError INVALID_PARAMETER
 * naming every bad field. `defaultTimezone` (the tenant's) applies when `timezone` is absent.
 * Null fields count as absent.
 */
export function parseQueueSettings(
  input: unknown,
  opts: { defaultTimezone?: string } = {},
): QueueSettings {
  if (!isRecord(input)) {
    throw new AppError('INVALID_PARAMETER', 'queue settings must be a JSON object');
  }
  const given = mergePatch({}, input) as Record<string, unknown>;
  if (given.timezone === undefined && opts.defaultTimezone !== undefined) {
    given.timezone = opts.defaultTimezone;
  }
  const filled = Value.Default(QueueSettings, given);
  const issues = new Issues();
  const valid = checkSchema(QueueSettings, filled, issues);
  secondPass(filled as QueueSettingsPatch, issues);
  issues.throwIfAny();
  if (!valid) throw new AppError('INVALID_PARAMETER', 'queue settings do not match the schema');
  return normalize(filled);
}

/** Applies a merge patch (see QueueSettingsPatch) to current settings and re-validates. */
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
