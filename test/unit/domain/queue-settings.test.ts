import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import { mergeQueueSettings, parseQueueSettings } from '../../../src/domain/queue-settings.js';

const base = { name: 'support', timezone: 'America/New_York' };

/** The INVALID_PARAMETER message parseQueueSettings throws for `input`. */
function problem(input: unknown): string {
  try {
    parseQueueSettings(input);
  } catch (e) {
    if (isAppError(e) && e.kind === 'INVALID_PARAMETER') return e.message;
    throw e;
  }
  throw new Error('expected the settings to be refused');
}

describe('parseQueueSettings defaults', () => {
  it('fills every SPEC default', () => {
    expect(parseQueueSettings(base)).toEqual({
      name: 'support',
      timezone: 'America/New_York',
      immediateEnabled: true,
      scheduledEnabled: true,
      slotDurationMinutes: 15,
      slotCapacity: 10,
      immediateBlackoutMinutes: 0,
      enforceCapacityOnCreate: false,
      duplicateCheck: 'lenient',
      throttlePerNumberPerDay: 6,
      maxQueuedImmediate: 1000,
      maxScheduleAheadDays: 30,
      numberRule: { defaultCountry: 'US', permittedCountries: [], blocked: [] },
      maxAttempts: 3,
      retryDelaySeconds: 300,
      ttlSeconds: 86400,
      purge: { atEndOfBusinessDay: true, afterMinutes: null },
      pushThresholdMinutes: 5,
      priority: 0,
      retentionDays: 30,
    });
  });

  it('takes the tenant zone when none is given and canonicalises zone spelling', () => {
    expect(parseQueueSettings({ name: 'q' }, { defaultTimezone: 'Europe/Berlin' }).timezone).toBe(
      'Europe/Berlin',
    );
    expect(parseQueueSettings({ name: 'q', timezone: 'asia/kolkata' }).timezone).toBe(
      'Asia/Kolkata',
    );
  });

  it('accepts a full configuration, overnight intervals, 24:00 ends and nulls for absent fields', () => {
    const s = parseQueueSettings({
      ...base,
      businessHours: {
        weekly: {
          mon: [['09:00', '17:00']],
          fri: [
            ['09:00', '12:00'],
            ['22:00', '02:00'],
          ],
          sat: [['10:00', '24:00']],
        },
        special: [
          { date: '2026-12-24', hours: [['09:00', '12:00']] },
          { date: '2026-12-25', hours: [] },
        ],
      },
      immediateOfferHours: { weekly: { mon: [['10:00', '16:00']] } },
      capacityRule: [{ days: ['mon', 'tue'], from: '12:00', to: '14:00', capacity: 3 }],
      maxEwtSeconds: 900,
      duplicateCheck: 'strict',
      numberRule: {
        defaultCountry: 'gb',
        permittedCountries: ['GB', 'ie'],
        blocked: ['^\\+44870'],
      },
      purge: { atEndOfBusinessDay: false, afterMinutes: 120 },
      routePoint: '5000',
      surveyRoutePoint: null,
    });
    expect(s.businessHours?.weekly.fri).toEqual([
      ['09:00', '12:00'],
      ['22:00', '02:00'],
    ]);
    expect(s.immediateOfferHours?.special).toEqual([]);
    expect(s.numberRule).toEqual({
      defaultCountry: 'GB',
      permittedCountries: ['GB', 'IE'],
      // The regular expression of earlier versions, converted to its exact pattern.
      blocked: ['+44870*'],
    });
    expect(s.purge.afterMinutes).toBe(120);
    expect('surveyRoutePoint' in s).toBe(false);
    expect(parseQueueSettings(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });
});

describe('parseQueueSettings validation', () => {
  it.each([
    ['not an object', 'hello', /JSON object/],
    ['an unknown field', { ...base, slotDuration: 15 }, /slotDuration: unknown field/],
    ['a missing name', { timezone: 'UTC' }, /^name: /],
    [
      'a name with spaces',
      { ...base, name: 'my queue' },
      /name: must be a name of 1 to 64 characters/,
    ],
    ['a 65-character name', { ...base, name: 'a'.repeat(65) }, /name: /],
    [
      'an unknown zone',
      { ...base, timezone: 'Mars/Olympus_Mons' },
      /timezone: "Mars\/Olympus_Mons" is not an IANA time zone/,
    ],
    ['an offset instead of a zone', { ...base, timezone: '+02:00' }, /timezone: /],
    ['no zone and no tenant default', { name: 'q' }, /timezone: is required/],
    [
      'a one-digit hour',
      { ...base, businessHours: { weekly: { mon: [['9:00', '17:00']] } } },
      /businessHours\.weekly\.mon\[0\]\[0\]: must be a time in HH:MM form .*"9:00"/,
    ],
    [
      'hour 25',
      { ...base, businessHours: { weekly: { mon: [['09:00', '25:00']] } } },
      /businessHours\.weekly\.mon\[0\]\[1\]: .*"25:00"/,
    ],
    [
      'minute 60',
      { ...base, businessHours: { weekly: { mon: [['09:60', '17:00']] } } },
      /mon\[0\]\[0\]: .*"09:60"/,
    ],
    [
      '24:00 as a start',
      { ...base, businessHours: { weekly: { mon: [['24:00', '02:00']] } } },
      /mon\[0\]\[0\]: must be a time in HH:MM form \(00:00 to 23:59\) \(got "24:00"\)/,
    ],
    [
      'an end equal to the start',
      { ...base, businessHours: { weekly: { tue: [['09:00', '09:00']] } } },
      /businessHours\.weekly\.tue\[0\]: end equals start/,
    ],
    [
      '00:00 to 00:00',
      { ...base, businessHours: { weekly: { tue: [['00:00', '00:00']] } } },
      /tue\[0\]: end equals start/,
    ],
    [
      'an interval that is not a pair',
      { ...base, businessHours: { weekly: { wed: [['09:00']] } } },
      /wed\[0\]\[1\]: must be a time in HH:MM form/,
    ],
    [
      'overlapping intervals in one day',
      {
        ...base,
        businessHours: {
          weekly: {
            thu: [
              ['09:00', '13:00'],
              ['12:00', '17:00'],
            ],
          },
        },
      },
      /thu\[1\]: overlaps businessHours\.weekly\.thu\[0\]/,
    ],
    [
      'an overnight interval overlapping an earlier one',
      {
        ...base,
        businessHours: {
          weekly: {
            thu: [
              ['22:00', '02:00'],
              ['21:00', '23:00'],
            ],
          },
        },
      },
      /thu\[0\]: overlaps businessHours\.weekly\.thu\[1\]/,
    ],
    [
      'an unknown weekday',
      { ...base, businessHours: { weekly: { monday: [['09:00', '17:00']] } } },
      /businessHours\.weekly\.monday: unknown field/,
    ],
    [
      'business hours without weekly',
      { ...base, businessHours: { special: [] } },
      /businessHours\.weekly: is required/,
    ],
    [
      'an unknown businessHours field',
      { ...base, businessHours: { weekly: {}, holidays: [] } },
      /businessHours\.holidays: unknown field/,
    ],
    [
      'an impossible special date',
      { ...base, businessHours: { weekly: {}, special: [{ date: '2026-02-30', hours: [] }] } },
      /businessHours\.special\[0\]\.date: "2026-02-30" is not a calendar date/,
    ],
    [
      'a special date in the wrong format',
      { ...base, businessHours: { weekly: {}, special: [{ date: '12/25/2026', hours: [] }] } },
      /special\[0\]\.date: /,
    ],
    [
      'a special date listed twice',
      {
        ...base,
        businessHours: {
          weekly: {},
          special: [
            { date: '2026-12-25', hours: [] },
            { date: '2026-12-25', hours: [] },
          ],
        },
      },
      /special\[1\]\.date: 2026-12-25 is listed twice/,
    ],
    [
      'a special day without hours',
      { ...base, businessHours: { weekly: {}, special: [{ date: '2026-12-25' }] } },
      /special\[0\]\.hours: is required/,
    ],
    [
      'bad immediate offer hours',
      { ...base, immediateOfferHours: { weekly: { sun: [['10:00', '1:00']] } } },
      /immediateOfferHours\.weekly\.sun\[0\]\[1\]/,
    ],
    [
      'a slot duration of 4',
      { ...base, slotDurationMinutes: 4 },
      /slotDurationMinutes: must be an integer from 5 to 120 \(got 4\)/,
    ],
    [
      'a slot duration of 121',
      { ...base, slotDurationMinutes: 121 },
      /slotDurationMinutes: .*got 121/,
    ],
    ['a fractional slot duration', { ...base, slotDurationMinutes: 15.5 }, /slotDurationMinutes: /],
    [
      'a slot duration given as a string',
      { ...base, slotDurationMinutes: '15' },
      /slotDurationMinutes: .*got "15"/,
    ],
    [
      'a negative capacity',
      { ...base, slotCapacity: -1 },
      /slotCapacity: must be an integer from 0/,
    ],
    ['a negative retry delay', { ...base, retryDelaySeconds: -5 }, /retryDelaySeconds: /],
    [
      'a negative blackout',
      { ...base, immediateBlackoutMinutes: -1 },
      /immediateBlackoutMinutes: /,
    ],
    ['a negative max EWT', { ...base, maxEwtSeconds: -1 }, /maxEwtSeconds: /],
    ['zero attempts', { ...base, maxAttempts: 0 }, /maxAttempts: must be an integer from 1/],
    ['a negative priority', { ...base, priority: -3 }, /priority: /],
    [
      'a non-boolean flag',
      { ...base, immediateEnabled: 'yes' },
      /immediateEnabled: must be true or false/,
    ],
    [
      'an unknown duplicate check',
      { ...base, duplicateCheck: 'maybe' },
      /duplicateCheck: must be one of "lenient", "strict", "off"/,
    ],
    [
      'an invalid blocked pattern',
      { ...base, numberRule: { blocked: ['('] } },
      /numberRule\.blocked\[0\]: "\(" is not a blocked-number pattern/,
    ],
    [
      'an unknown default country',
      { ...base, numberRule: { defaultCountry: 'XX' } },
      /numberRule\.defaultCountry: "XX" is not a supported/,
    ],
    [
      'an unknown permitted country',
      { ...base, numberRule: { permittedCountries: ['US', 'Germany'] } },
      /numberRule\.permittedCountries\[1\]: /,
    ],
    [
      'an unknown numberRule field',
      { ...base, numberRule: { allow: [] } },
      /numberRule\.allow: unknown field/,
    ],
    ['purge after 0 minutes', { ...base, purge: { afterMinutes: 0 } }, /purge\.afterMinutes: /],
    [
      'an unknown purge field',
      { ...base, purge: { nightly: true } },
      /purge\.nightly: unknown field/,
    ],
    [
      'a capacity rule without days',
      { ...base, capacityRule: [{ days: [], from: '09:00', to: '12:00', capacity: 1 }] },
      /capacityRule\[0\]\.days: must be a non-empty array/,
    ],
    [
      'a capacity rule with a bad weekday',
      {
        ...base,
        capacityRule: [{ days: ['mon', 'funday'], from: '09:00', to: '12:00', capacity: 1 }],
      },
      /capacityRule\[0\]\.days\[1\]: must be a weekday .*"funday"/,
    ],
    [
      'a capacity rule with from = to',
      { ...base, capacityRule: [{ days: ['mon'], from: '09:00', to: '09:00', capacity: 1 }] },
      /capacityRule\[0\]: to equals from/,
    ],
    [
      'a capacity rule with a bad time',
      { ...base, capacityRule: [{ days: ['mon'], from: '9', to: '10:00', capacity: 1 }] },
      /capacityRule\[0\]\.from: must be a time .*"9"/,
    ],
    [
      'a capacity rule without capacity',
      { ...base, capacityRule: [{ days: ['mon'], from: '09:00', to: '10:00' }] },
      /capacityRule\[0\]\.capacity: is required/,
    ],
    ['an empty route point', { ...base, routePoint: '' }, /routePoint: must be a string/],
  ])('refuses %s', (_label, input, message) => {
    expect(problem(input)).toMatch(message);
  });

  it('reports every problem at once', () => {
    const message = problem({ ...base, slotDurationMinutes: 1, slotCapacity: -1, colour: 'red' });
    expect(message).toContain('colour: unknown field');
    expect(message).toContain('slotDurationMinutes');
    expect(message).toContain('slotCapacity');
  });
});

describe('mergeQueueSettings', () => {
  const current = parseQueueSettings({
    ...base,
    businessHours: { weekly: { mon: [['09:00', '17:00']] } },
    maxEwtSeconds: 600,
  });

  it('changes only what the patch names, merging nested objects', () => {
    const next = mergeQueueSettings(current, {
      slotCapacity: 4,
      businessHours: { weekly: { sat: [['10:00', '14:00']] } },
      numberRule: { permittedCountries: ['US'] },
    });
    expect(next.slotCapacity).toBe(4);
    expect(next.businessHours?.weekly).toEqual({
      mon: [['09:00', '17:00']],
      sat: [['10:00', '14:00']],
    });
    expect(next.numberRule).toEqual({
      defaultCountry: 'US',
      permittedCountries: ['US'],
      blocked: [],
    });
    expect(next.maxEwtSeconds).toBe(600);
  });

  it('removes optional fields with null (no business hours = 24/7)', () => {
    const next = mergeQueueSettings(current, { businessHours: null, maxEwtSeconds: null });
    expect(next.businessHours).toBeUndefined();
    expect(next.maxEwtSeconds).toBeUndefined();
    expect(next.timezone).toBe('America/New_York');
  });

  it('validates the result the same way', () => {
    expect(() => mergeQueueSettings(current, { slotDurationMinutes: 500 })).toThrow(
      /slotDurationMinutes/,
    );
    expect(() =>
      mergeQueueSettings(current, { businessHours: { weekly: { mon: [['09:00', '09:00']] } } }),
    ).toThrow(/end equals start/);
    expect(() => mergeQueueSettings(current, [1, 2])).toThrow(/JSON object/);
    expect(() => mergeQueueSettings(current, JSON.parse('{"__proto__": {"x": 1}}'))).toThrow(
      /__proto__: unknown field/,
    );
  });
});
