import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** "+1 212 555 0100": a stored E.164 number grouped for reading (as stored when unparsable). */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
