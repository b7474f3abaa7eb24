import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMITS,
  effectiveRateLimits,
  formatRateLimits,
  parseLimit,
  parseRateLimits,
  retryAfterSeconds,
  addressBucket,
  routeClassOf,
} from '../../../src/domain/rate-limits.js';

describe('rate limits', () => {
  it('reads limits as operators write them', () => {
    expect(parseLimit('30/min', 'x')).toEqual({ max: 30, windowSeconds: 60 });
    expect(parseLimit('5/hour', 'x')).toEqual({ max: 5, windowSeconds: 3600 });
    expect(parseLimit('100/10s', 'x')).toEqual({ max: 100, windowSeconds: 10 });
    expect(parseLimit('2 / days', 'x')).toEqual({ max: 2, windowSeconds: 86_400 });
    expect(parseLimit('off', 'x')).toBeUndefined();
    for (const bad of ['30', '0/min', '30/fortnight', '5/2day', 30, '1e3/min']) {
      expect(() => parseLimit(bad, 'rateLimits.create.perIp')).toThrow(/rateLimits\.create\.perIp/);
    }
  });

  it('the README example applies over the defaults, and survives storage', () => {
    const doc = YAML.parse(`
rateLimits:
  default: { perIp: 1200/min }
  create: { perIp: 10/min, perPhoneNumber: 3/hour }
  match: { perKey: off }
`) as { rateLimits: unknown };
    const overrides = parseRateLimits(doc.rateLimits);
    const limits = effectiveRateLimits(overrides);
    expect(limits.default.perIp).toEqual({ max: 1200, windowSeconds: 60 });
    expect(limits.default.perKey).toEqual(DEFAULT_RATE_LIMITS.default.perKey);
    expect(limits.create.perPhoneNumber).toEqual({ max: 3, windowSeconds: 3600 });
    expect(limits.match.perKey).toBeUndefined();
    expect(limits.match.perIp).toEqual(DEFAULT_RATE_LIMITS.match.perIp);
    expect(effectiveRateLimits(parseRateLimits(formatRateLimits(overrides)))).toEqual(limits);
  });

  it('classes routes and counts Retry-After to the end of the window', () => {
    expect(routeClassOf('POST', '/engagement/v3/callbacks/create')).toBe('create');
    expect(routeClassOf('POST', '/engagement/v3/call-in/requests/create')).toBe('create');
    expect(routeClassOf('POST', '/engagement/v3/call-in/requests/match')).toBe('match');
    expect(routeClassOf('GET', '/engagement/v3/callbacks/queue-status/:name')).toBe('default');
    const minute = { max: 1, windowSeconds: 60 };
    expect(retryAfterSeconds(minute, Date.parse('2026-11-25T15:00:20Z'))).toBe(40);
    expect(retryAfterSeconds(minute, Date.parse('2026-11-25T15:00:59.900Z'))).toBe(1);
  });

  it('counts an IPv6 client by its /64 and an IPv4 one by its address', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
