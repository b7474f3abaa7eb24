import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';

describe('outbound and metrics configuration', () => {
  it('reads OUTBOUND_ALLOW, the response cap and METRICS_TOKEN', () => {
    const config = loadConfig({
      OUTBOUND_ALLOW: ' 10.0.0.0/8, stats.corp ,*.hooks.corp,::1',
      OUTBOUND_MAX_RESPONSE_BYTES: '4096',
      METRICS_TOKEN: 'a-long-enough-metrics-token',
    });
    expect(config.integrations.outboundAllow).toEqual([
      '10.0.0.0/8',
      'stats.corp',
      '*.hooks.corp',
      '::1',
    ]);
    expect(config.integrations.outboundMaxResponseBytes).toBe(4096);
    expect(config.metricsToken).toBe('a-long-enough-metrics-token');
    const defaults = loadConfig({});
    expect(defaults.integrations.outboundAllow).toEqual([]);
    expect(defaults.integrations.outboundMaxResponseBytes).toBe(16_384);
    expect(defaults.metricsToken).toBeUndefined();
  });

  it.each([
    [{ OUTBOUND_ALLOW: '10.0.0.0/99' }, /OUTBOUND_ALLOW: "10\.0\.0\.0\/99" has a bad prefix/],
    [{ OUTBOUND_ALLOW: 'https://stats.corp/' }, /OUTBOUND_ALLOW: .* neither a host name/],
    [{ OUTBOUND_MAX_RESPONSE_BYTES: '10' }, /OUTBOUND_MAX_RESPONSE_BYTES/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN must be at least 16/],
  ])('stops at start-up on %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
