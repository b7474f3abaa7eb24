// Phone input helpers on libphonenumber's small ("min") metadata: enough to format and to check
// lengths as the visitor types; the service still applies the queue's full number rule.
// The core entry with its metadata passed in keeps the bundle to the functions used here.
import {
  getCountries as coreCountries,
  getCountryCallingCode as coreCallingCode,
  parsePhoneNumberFromString as coreParse,
  type CountryCode,
} from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

const getCountries = () => coreCountries(metadata);
const getCountryCallingCode = (c: CountryCode) => coreCallingCode(c, metadata);
const parsePhoneNumberFromString = (raw: string, c: CountryCode) => coreParse(raw, c, metadata);

export type { CountryCode };

export interface CountryOption {
  code: CountryCode;
  label: string;
}

/** Every country the metadata knows, named in the visitor's language, sorted by that name. */
export function countryOptions(lang: string): CountryOption[] {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([lang], { type: 'region' });
  } catch {
    names = undefined;
  }
  return getCountries()
    .map((code) => ({
      code,
      label: `${names?.of(code) ?? code} (+${getCountryCallingCode(code)})`,
    }))
    .sort((a, b) => a.label.localeCompare(b.label, lang));
}

const known = new Set<string>(getCountries());
export const isCountry = (c: string): c is CountryCode => known.has(c);

/** The country of the browser's language tag (de-AT → AT), if it names one. */
export function guessCountry(languages: readonly string[]): CountryCode | undefined {
  for (const tag of languages) {
    const region = tag.split('-')[1]?.toUpperCase();
    if (region !== undefined && isCountry(region)) return region;
  }
  return undefined;
}

export interface PhoneCheck {
  /** E.164 when valid. */
  e164?: string;
  /** International format for showing back. */
  display?: string;
  /** The country a "+…" number belongs to. */
  country?: CountryCode;
}

/** Parses what the visitor typed, in the picked country unless it starts with "+". */
export function checkPhone(raw: string, country: CountryCode): PhoneCheck {
  const parsed = parsePhoneNumberFromString(raw, country);
  if (parsed === undefined) return {};
  const out: PhoneCheck = parsed.country === undefined ? {} : { country: parsed.country };
  if (!parsed.isValid()) return out;
  return { ...out, e164: parsed.number, display: parsed.formatInternational() };
}
