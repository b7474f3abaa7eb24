import {
  type CountryCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { AppError } from './errors.js';
import { numberMatches } from './number-pattern.js';
import type { NumberRule } from './queue-settings.js';

const MAX_RAW_LENGTH = 64;

function describeLengthProblem(raw: string, country: CountryCode | undefined): string {
  switch (validatePhoneNumberLength(raw, country ? { defaultCountry: country } : {})) {
    case 'TOO_SHORT':
      return 'is too short';
    case 'TOO_LONG':
      return 'is too long';
    case 'INVALID_COUNTRY':
      return 'has an unknown country calling code';
    case 'INVALID_LENGTH':
      return 'has a length no number of that country has';
    case 'NOT_A_NUMBER':
    case undefined:
      return `is not a valid number${country ? ` (numbers without "+" are read as ${country})` : ''}`;
  }
}

/** What parsing a number says, whatever a queue's rule: a number that can be called, or why not. */
export type ParsedPhone =
  | {
      readonly e164: string;
      readonly premiumRate: boolean;
      readonly country: string | undefined;
      readonly extension: boolean;
    }
  | { readonly problem: string };

/** Parses `text` (trimmed, at most MAX_RAW_LENGTH), reading numbers without "+" as `country`. */
export function parsePhone(text: string, country: string): ParsedPhone {
  const known = isSupportedCountry(country) ? country : undefined;
  const parsed = parsePhoneNumberFromString(text, known ? { defaultCountry: known } : {});
  // With full metadata a number is valid exactly when it has a type: asking for the type once
  // spares isValid() from matching the same number patterns again.
  const type = parsed?.getType();
  if (!parsed || !parsed.isPossible() || (type === undefined && !parsed.isValid())) {
    return { problem: describeLengthProblem(text, known) };
  }
  return {
    e164: parsed.number,
    premiumRate: type === 'PREMIUM_RATE',
    country: parsed.country,
    extension: parsed.ext !== undefined && parsed.ext !== '',
  };
}

/** parsePhone, or a memo of it. */
export type PhoneParser = (text: string, country: string) => ParsedPhone;

/**
 * The E.164 form of a callback number under a queue's number rule. Throws INVALID_PHONE_NUMBER
 * for unparseable, impossible or unassigned numbers and PHONE_NUMBER_NOT_PERMITTED for premium
 * rate numbers, countries outside permittedCountries and numbers matching a blocked pattern.
 */
export function normalizePhoneNumber(
  raw: string,
  rule: NumberRule,
  parse: PhoneParser = parsePhone,
): string {
  const text = raw.trim();
  if (text === '') throw new AppError('INVALID_PHONE_NUMBER', 'phoneNumber is empty');
  if (text.length > MAX_RAW_LENGTH) {
    throw new AppError(
      'INVALID_PHONE_NUMBER',
      `phoneNumber is longer than ${MAX_RAW_LENGTH} characters`,
    );
  }
  const parsed = parse(text, rule.defaultCountry);
  const shown = JSON.stringify(text);
  if ('problem' in parsed) {
    throw new AppError('INVALID_PHONE_NUMBER', `phoneNumber ${shown} ${parsed.problem}`);
  }
  // A dialer calls the number itself; an extension would silently be lost.
  if (parsed.extension) {
    throw new AppError(
      'INVALID_PHONE_NUMBER',
      `phoneNumber ${shown} has an extension, which cannot be called back`,
    );
  }
  const { e164 } = parsed;
  if (parsed.premiumRate) {
    throw new AppError(
      'PHONE_NUMBER_NOT_PERMITTED',
      `phoneNumber ${e164} is a premium-rate number`,
    );
  }
  if (rule.permittedCountries.length > 0) {
    const where = parsed.country;
    if (!where || !rule.permittedCountries.includes(where)) {
      throw new AppError(
        'PHONE_NUMBER_NOT_PERMITTED',
        `phoneNumber ${e164} belongs to ${where ?? 'no single country'}; this queue accepts ${rule.permittedCountries.join(', ')}`,
      );
    }
  }
  for (const pattern of rule.blocked) {
    if (numberMatches(pattern, e164)) {
      throw new AppError(
        'PHONE_NUMBER_NOT_PERMITTED',
        `phoneNumber ${e164} matches the blocked pattern ${JSON.stringify(pattern)}`,
      );
    }
  }
  return e164;
}

/** The ISO country of an E.164 number, or undefined (non-geographic or unparseable). */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
