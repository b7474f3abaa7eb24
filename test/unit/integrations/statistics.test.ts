import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testStatisticsCredential } from '../../../src/integrations/credential-tests.js';
import {
  cacheSeconds,
  StatisticsClient,
  type StatisticsConfig,
} from '../../../src/integrations/statistics.js';
import { parseBasicAuth, parseForm } from '../../fakes/http-fake.js';
import { startFakeStatistics, type FakeStatistics } from '../../fakes/fake-statistics.js';
import { testHttp } from '../../fakes/outbound.js';

const request = { data: { statistics: [{ name: 'CurrentWaitingCalls', objectId: 'support' }] } };

describe('statistics client', () => {
  let source: FakeStatistics;
  let now: number;
  let config: StatisticsConfig;

  beforeEach(async () => {
    source = await startFakeStatistics({
      clientId: 'acme-client',
      clientSecret: 'acme-secret',
      maxAgeSeconds: 60,
    });
    now = 1_700_000_000_000;
    config = {
      baseUrl: source.url,
      clientId: 'acme-client',
      clientSecret: 'acme-secret',
      now: () => now,
      http: testHttp,
    };
  });
  afterEach(async () => {
    await source.close();
  });

  it('gets a client-credentials token with Basic auth and forwards the request', async () => {
    const result = await new StatisticsClient(config).getStatisticEx(request);
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      fromCache: false,
      body: { data: { answer: 1, request } },
    });
    const tokenRequest = source.tokenRequests[0];
    expect(parseBasicAuth(tokenRequest?.headers.authorization)).toEqual({
      id: 'acme-client',
      secret: 'acme-secret',
    });
    expect(parseForm(tokenRequest?.body ?? '')).toEqual({ grant_type: 'client_credentials' });
  });

  it('answers repeated requests from cache for max-age seconds, then asks again', async () => {
    const client = new StatisticsClient(config);
    await client.getStatisticEx(request);
    now += 59_000;
    // Same body with keys in another order is the same question.
    const cached = await client.getStatisticEx({
      data: { statistics: [{ objectId: 'support', name: 'CurrentWaitingCalls' }] },
    });
    expect(cached).toMatchObject({ ok: true, fromCache: true, body: { data: { answer: 1 } } });
    expect(source.statisticRequests).toHaveLength(1);
    now += 2_000;
    const fresh = await client.getStatisticEx(request);
    expect(fresh).toMatchObject({ ok: true, fromCache: false, body: { data: { answer: 2 } } });
    // The token is still valid, so only one token request was needed.
    expect(source.tokenRequests).toHaveLength(1);
  });

  it('keeps answers 5 minutes when max-age is missing or below 15 seconds', async () => {
    source.setMaxAge(5);
    const client = new StatisticsClient(config);
    await client.getStatisticEx(request);
    now += 299_000;
    expect(await client.getStatisticEx(request)).toMatchObject({ fromCache: true });
    now += 2_000;
    expect(await client.getStatisticEx(request)).toMatchObject({ fromCache: false });
    expect(cacheSeconds(null)).toBe(300);
    expect(cacheSeconds('public, max-age=15')).toBe(15);
    expect(cacheSeconds('max-age=14')).toBe(300);
  });

  it('sends one upstream request for identical questions asked at the same time', async () => {
    const client = new StatisticsClient(config);
    const answers = await Promise.all([1, 2, 3].map(() => client.getStatisticEx(request)));
    expect(answers.every((answer) => answer.ok)).toBe(true);
    expect(source.statisticRequests).toHaveLength(1);
    expect(source.tokenRequests).toHaveLength(1);
  });

  it('caches different requests separately', async () => {
    const client = new StatisticsClient(config);
    await client.getStatisticEx(request);
    const other = await client.getStatisticEx({ data: { statistics: [{ name: 'EWT' }] } });
    expect(other).toMatchObject({ fromCache: false, body: { data: { answer: 2 } } });
  });

  it('renews the token when it expires and once when the source revokes it', async () => {
    const client = new StatisticsClient(config);
    await client.getStatisticEx(request);
    now += 3600_000;
    await client.getStatisticEx({ other: 1 });
    expect(source.tokenRequests).toHaveLength(2);
    source.revokeAccessTokens();
    expect(await client.getStatisticEx({ other: 2 })).toMatchObject({ ok: true });
    expect(source.tokenRequests).toHaveLength(3);
  });

  it('reports a wrong secret as a non-retryable auth error without forwarding', async () => {
    const result = await new StatisticsClient({ ...config, clientSecret: 'wrong' }).getStatisticEx(
      request,
    );
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'auth',
        status: 401,
        retryable: false,
        message: 'The statistics source refused the client id or secret (Bad client credentials)',
      },
    });
    expect(source.statisticRequests).toHaveLength(0);
  });

  it('honours a configured statistics path and reports an unknown one as an upstream failure', async () => {
    const result = await new StatisticsClient({
      ...config,
      statisticsPath: '/nope',
    }).getStatisticEx(request);
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'upstream', status: 404, retryable: false },
    });
  });

  describe('credential test button', () => {
    it('confirms good credentials and explains a wrong secret or an unreachable source', async () => {
      expect(await testStatisticsCredential(config)).toEqual({
        ok: true,
        message: 'The statistics source accepted the client id and secret',
      });
      const wrong = await testStatisticsCredential({ ...config, clientSecret: 'nope' });
      expect(wrong.ok).toBe(false);
      expect(wrong.message).toMatch(/refused the client id or secret/);
      await source.close();
      const down = await testStatisticsCredential(config);
      expect(down.ok).toBe(false);
      expect(down.message).toMatch(/Token endpoint unreachable/);
    });
  });
});
