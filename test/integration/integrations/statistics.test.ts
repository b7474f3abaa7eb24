import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { FAKE_STATISTICS_PATH } from '../../fakes/fake-statistics.js';
import { credentialBodies, startFakes, type Fakes } from './fakes.js';

interface OwnAnswer {
  statistics: { name: string; objectId: string; value: number | null; message?: string }[];
}

describeEngines('statistics', (engine) => {
  let fakes: Fakes;
  let t: TestApp & { dropDatabase(): Promise<void> };
  let a: TestTenant;

  beforeAll(async () => {
    fakes = await startFakes();
    t = await startTestApp(engine, { env: fakes.env });
    a = await t.tenant('acme');
    const headers = { cookie: a.cookies.Administrator };
    await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers,
      payload: { name: 'support' },
    });
    for (const [i, desiredTime] of [undefined, undefined, '2026-11-26T15:00:00Z'].entries()) {
      const created = await t.call({
        method: 'POST',
        url: '/engagement/v3/callbacks/create',
        headers: { 'x-api-key': a.keys.engagement },
        payload: {
          serviceName: 'support',
          phoneNumber: `+1202555017${i}`,
          ...(desiredTime ? { desiredTime } : {}),
        },
      });
      expect(created.res.statusCode, created.res.body).toBe(200);
    }
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
    await fakes.close();
  });

  const getStatistic = (payload: object) =>
    t.call<OwnAnswer & Record<string, unknown>>({
      method: 'POST',
      url: '/engagement/v3/statistics/operations/get-statistic-ex',
      headers: { 'x-api-key': a.keys.engagement },
      payload,
    });

  it("without a statistics source, answers OpenCallback's own queue statistics", async () => {
    const res = await getStatistic({
      data: {
        statistics: [
          { name: 'CallbacksWaiting', objectId: 'support' },
          { name: 'CallbacksScheduled', objectId: 'support' },
          { name: 'CallbacksInProgress', objectId: 'support' },
          { name: 'EstimatedWaitTime', objectId: 'support' },
          { name: 'CallbacksWaiting', objectId: 'nosuch' },
        ],
      },
    });
    expect(res.res.statusCode, res.res.body).toBe(200);
    expect(res.body.data.statistics.map((s) => s.value)).toEqual([
      2,
      1,
      0,
      expect.any(Number),
      null,
    ]);
    expect(res.body.data.statistics[4]?.message).toBe('Service not found');
  });

  it('other statistics need credentials: 40105', async () => {
    const res = await getStatistic({
      data: { statistics: [{ name: 'CurrentWaitingCalls', objectId: 'support' }] },
    });
    expect(res.res.statusCode).toBe(401);
    expect(res.body.status.code).toBe(40105);
    expect(res.body.status.message).toMatch(/CurrentWaitingCalls/);
  });

  it('with a registered source, forwards through its token and caches the answer', async () => {
    const saved = await t.call({
      method: 'PUT',
      url: '/admin/v1/credentials/statistics',
      headers: { cookie: a.cookies.Developer },
      payload: credentialBodies(fakes).statistics,
    });
    expect(saved.res.statusCode, saved.res.body).toBe(200);
    const request = {
      data: { statistics: [{ name: 'CurrentWaitingCalls', objectId: 'support' }] },
    };
    const first = await getStatistic(request);
    expect(first.res.statusCode, first.res.body).toBe(200);
    expect(first.body.data).toMatchObject({ answer: 1, request });
    const second = await getStatistic(request);
    expect(second.body.data).toMatchObject({ answer: 1 });
    expect(fakes.statistics.statisticRequests).toHaveLength(1);
    expect(fakes.statistics.statisticRequests[0]?.path).toBe(FAKE_STATISTICS_PATH);

    // A changed credential is used at once (new client, new cache).
    await t.call({
      method: 'PUT',
      url: '/admin/v1/credentials/statistics',
      headers: { cookie: a.cookies.Developer },
      payload: { ...credentialBodies(fakes).statistics, clientSecret: 'wrong' },
    });
    const refused = await getStatistic(request);
    expect(refused.body.status.code).toBe(50201);
    expect(refused.body.status.message).toMatch(/refused the client id or secret/);
  });
});
