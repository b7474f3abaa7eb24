import { type Static, Type } from 'typebox';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { PATTERN_SYNTAX, compileNumberPattern, patternFromRegex } from './number-pattern.js';
import { ClockEnd, ClockStart, Weekday, parseClock } from './hours.js';
import { type Issues, at } from './validation.js';

// The nested parts of queue settings: capacity overrides, number rule and purge rule.

/** The range of any slot capacity, shared with `slotCapacity`. */
export const CAPACITY_RANGE = { minimum: 0, maximum: 100_000 };

/** Capacity override: slots whose local start lies in [from, to) on one of `days` get `capacity`. */
export const CapacityRule = Type.Object(
  {
    days: Type.Array(Weekday, {
      minItems: 1,
      description: 'a non-empty array of weekdays (mon … sun)',
    }),
    from: ClockStart,
    /** "24:00" allowed; a `to` at or before `from` runs into the next day. */
    to: ClockEnd,
    capacity: Type.Integer(CAPACITY_RANGE),
  },
  { additionalProperties: false },
);
export type CapacityRule = Static<typeof CapacityRule>;

const COUNTRY = {
  pattern: '^[A-Za-z]{2}$',
  description: 'a supported ISO 3166 two-letter country code',
};

/** Which numbers a queue accepts; `blocked` patterns (number-pattern.ts) match the E.164 form. */
export const NumberRule = Type.Object(
  {
    /** ISO 3166-1 alpha-2 country used for numbers written without "+". */
    defaultCountry: Type.String({ ...COUNTRY, default: 'US' }),
    /** Empty means every country. */
    permittedCountries: Type.Array(Type.String(COUNTRY), { default: [] }),
    blocked: Type.Array(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: `a pattern of 1 to 200 characters: ${PATTERN_SYNTAX}`,
      }),
      { default: [] },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type NumberRule = Static<typeof NumberRule>;

/** When waiting callbacks are completed as PURGED. */
export const PurgeRule = Type.Object(
  {
    atEndOfBusinessDay: Type.Boolean({ default: true }),
    /** For 24/7 queues: purge a callback after waiting this long; null = never. */
    afterMinutes: Type.Union([Type.Integer({ minimum: 1, maximum: 525_600 }), Type.Null()], {
      default: null,
    }),
  },
  { additionalProperties: false, default: {} },
);
export type PurgeRule = Static<typeof PurgeRule>;

function checkCountry(code: string, path: string, issues: Issues): void {
  if (!isSupportedCountry(code.toUpperCase())) {
    issues.add(path, `"${code}" is not a supported ISO 3166 two-letter country code`);
  }
}

/** What the schema cannot say of a number rule (or a patch of one): countries that exist, patterns that compile. */
export function checkNumberRule(
  rule: {
    defaultCountry?: string | null;
    permittedCountries?: readonly string[] | null;
    blocked?: readonly string[] | null;
  },
  issues: Issues,
): void {
  if (rule.defaultCountry) checkCountry(rule.defaultCountry, 'numberRule.defaultCountry', issues);
  rule.permittedCountries?.forEach((code, i) =>
    checkCountry(code, at('numberRule.permittedCountries', i), issues),
  );
  rule.blocked?.forEach((pattern, i) => {
    const checked = readBlockedPattern(pattern);
    if (!checked.ok) {
      issues.add(at('numberRule.blocked', i), `"${pattern.slice(0, 40)}" ${checked.why}`);
    }
  });
}

/** A checked number rule in its one form: upper-case codes, each code and pattern once. */
export function normalizeNumberRule(rule: NumberRule): NumberRule {
  return {
    defaultCountry: rule.defaultCountry.toUpperCase(),
    permittedCountries: [...new Set(rule.permittedCountries.map((c) => c.toUpperCase()))],
    blocked: [
      ...new Set(
        rule.blocked.map((text) => {
          const checked = readBlockedPattern(text);
          return checked.ok ? checked.pattern : text;
        }),
      ),
    ],
  };
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

/** What the schema cannot say of capacity rules: a rule's `to` differs from its `from`. */
export function checkCapacityRules(rules: readonly CapacityRule[], issues: Issues): void {
  rules.forEach((rule, i) => {
    if (parseClock(rule.from, false) === parseClock(rule.to, true)) {
      issues.add(at('capacityRule', i), 'to equals from; use "00:00" to "24:00" for a whole day');
    }
  });
}
