import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../../src/domain/errors.js';
import { normalizePhoneNumber, phoneCountry } from '../../../src/domain/phone.js';
import type { NumberRule } from '../../../src/domain/queue-settings.js';

const us: NumberRule = { defaultCountry: 'US', permittedCountries: [], blocked: [] };

function failure(raw: string, rule: NumberRule): AppError {
  try {
    normalizePhoneNumber(raw, rule);
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error(`expected ${raw} to be refused`);
}

describe('normalizePhoneNumber', () => {
  it.each([
    ['+1 202 555 0123', '+12025550123'],
    ['(212) 555-0100', '+12125550100'],
    ['+12125550100', '+12125550100'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('normalises %s to %s', (raw, e164) => {
    expect(normalizePhoneNumber(raw, us)).toBe(e164);
  });

  it.each([
    'hello',
    '',
    '   ',
    '123',
    '+4420794609',
    '+12345678901234567',
    '+1 202 555 0123 ext. 5',
  ])('refuses %j as INVALID_PHONE_NUMBER', (raw) => {
    const e = failure(raw, us);
    expect(e.kind).toBe('INVALID_PHONE_NUMBER');
    expect(e.message).toMatch(/phoneNumber/);
  });

  it('refuses premium-rate numbers', () => {
    const e = failure('1-900-555-0199', us);
    expect(e.kind).toBe('PHONE_NUMBER_NOT_PERMITTED');
    expect(e.message).toContain('premium-rate');
  });

  it('refuses a country outside permittedCountries', () => {
    const e = failure('+44 20 7946 0958', { ...us, permittedCountries: ['US', 'CA'] });
    expect(e.kind).toBe('PHONE_NUMBER_NOT_PERMITTED');
    expect(e.message).toContain('GB');
    expect(
      normalizePhoneNumber('+1 416 555 0123', { ...us, permittedCountries: ['US', 'CA'] }),
    ).toBe('+14165550123');
  });

  it('refuses a number matching a blocked pattern (matched against E.164)', () => {
    const rule = { ...us, blocked: ['+1202*'] };
    const e = failure('(202) 555-0123', rule);
    expect(e.kind).toBe('PHONE_NUMBER_NOT_PERMITTED');
    expect(e.message).toContain('blocked');
    expect(normalizePhoneNumber('(212) 555-0100', rule)).toBe('+12125550100');
  });

  it('reads national numbers in the default country', () => {
    expect(normalizePhoneNumber('030 123456', { ...us, defaultCountry: 'DE' })).toBe('+4930123456');
  });
});

describe('phoneCountry', () => {
  it('knows the country of an E.164 number', () => {
    expect(phoneCountry('+14165550123')).toBe('CA');
    expect(phoneCountry('+12025550123')).toBe('US');
    expect(phoneCountry('nonsense')).toBeUndefined();
  });
});
