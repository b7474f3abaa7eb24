import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describeEngines('/metrics behind METRICS_TOKEN', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: { METRICS_TOKEN: TOKEN } });
    acme = await t.tenant('acme');
    await t.services.queues.create({ tenantId: acme.id, name: 'test' }, { name: 'sales' });
    await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': acme.keys.engagement },
      payload: { serviceName: 'sales', phoneNumber: '+12125550101' },
    });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  it('refuses a scrape without the token or with another, in the envelope', async () => {
    const cases: [Record<string, string>, number][] = [
      [{}, 40101],
      [{ authorization: 'Bearer wrong-token-0123456789abcdef' }, 40102],
      [{ authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, 40101],
      // An engagement key is no metrics token.
      [{ 'x-api-key': acme.keys.engagement }, 40101],
    ];
    for (const [headers, code] of cases) {
      const { res, body } = await t.call({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).toBe(401);
      expect(body.status.code).toBe(code);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('opencallback_queue');
    }
  });

  it('with the token, labels each tenant and queue', async () => {
    const { res } = await t.call({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('opencallback_queue_waiting{tenant="acme",queue="sales"} 1');
    expect(res.body).toMatch(/opencallback_queue_ewt\{tenant="acme",queue="sales"\} -?\d+/);
  });
});
