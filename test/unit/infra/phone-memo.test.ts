import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber, parsePhone } from '../../../src/domain/phone.js';
import { phoneMemo } from '../../../src/infra/phone-memo.js';

const US = { defaultCountry: 'US', permittedCountries: [], blocked: [] };

describe('phoneMemo', () => {
  it('answers exactly as parsing does, for good and bad numbers and per default country', () => {
    const memo = phoneMemo(100);
    for (const [text, country] of [
      ['(212) 555-0100', 'US'],
      ['030 901820', 'DE'],
      ['030 901820', 'US'],
      ['+1 900 555 0100', 'US'],
      ['12', 'US'],
      ['+1 212 555 0100 ext. 7', 'US'],
    ] as const) {
      expect(memo(text, country)).toEqual(parsePhone(text, country));
      expect(memo(text, country)).toEqual(parsePhone(text, country));
    }
  });

  it('keeps the rule out of the memo: a number remembered is still checked against each rule', () => {
    const memo = phoneMemo(100);
    expect(normalizePhoneNumber('(212) 555-0100', US, memo)).toBe('+12125550100');
    expect(() =>
      normalizePhoneNumber('(212) 555-0100', { ...US, blocked: ['+1212*'] }, memo),
    ).toThrow(/blocked pattern/);
    expect(() =>
      normalizePhoneNumber('(212) 555-0100', { ...US, permittedCountries: ['DE'] }, memo),
    ).toThrow(/accepts DE/);
  });

  it('holds at most its bound, dropping the least recently used', () => {
    const memo = phoneMemo(2);
    const x = memo('(212) 555-0100', 'US');
    const y = memo('(212) 555-0101', 'US');
    expect(memo('(212) 555-0100', 'US')).toBe(x); // a hit: now the most recent
    memo('(212) 555-0102', 'US'); // drops 0101
    expect(memo('(212) 555-0100', 'US')).toBe(x);
    const again = memo('(212) 555-0101', 'US');
    expect(again).toEqual(y);
    expect(again).not.toBe(y);
  });
});
