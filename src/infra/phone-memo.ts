import { parsePhone, type ParsedPhone, type PhoneParser } from '../domain/phone.js';

/**
 * parsePhone remembered for the last `maxEntries` (raw number, default country) pairs: parsing
 * matches the number against the country's metadata, ~10 % of a booking's CPU, and the same
 * people book, look up, cancel and retry with the same number.
 */
export function phoneMemo(maxEntries: number): PhoneParser {
  const recent = new Map<string, ParsedPhone>();
  return (text, country) => {
    const key = `${country} ${text}`;
    let parsed = recent.get(key);
    if (parsed) {
      // Least recently used goes first: a hit moves to the end.
      recent.delete(key);
    } else {
      parsed = parsePhone(text, country);
      if (recent.size >= maxEntries) {
        const oldest = recent.keys().next();
        if (!oldest.done) recent.delete(oldest.value);
      }
    }
    recent.set(key, parsed);
    return parsed;
  };
}
