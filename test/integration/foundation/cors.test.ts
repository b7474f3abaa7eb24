import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

const ACME_ORIGIN = 'https://www.acme.com';
const GLOBEX_ORIGIN = 'https://shop.globex.com';
const URL = '/engagement/v3/callbacks/queue-status/support';

describeEngines('CORS on the Engagement API', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    acme = await t.tenant('acme');
    await t.tenant('globex');
    await t.services.tenants.addOrigin({ tenantId: 'acme', name: 'test' }, ACME_ORIGIN, 'test');
    await t.services.tenants.addOrigin({ tenantId: 'globex', name: 'test' }, GLOBEX_ORIGIN, 'test');
    await t.services.queues.create({ tenantId: 'acme', name: 'test' }, { name: 'support' });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const preflight = (origin: string) =>
    t.call({
      method: 'OPTIONS',
      url: '/engagement/v3/callbacks/create',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key',
      },
    });

  it('answers a preflight from an allowed origin with 204 and the grant', async () => {
    const { res } = await preflight(ACME_ORIGIN);
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ACME_ORIGIN);
    const methods = String(res.headers['access-control-allow-methods']);
    expect(methods).toContain('POST');
    expect(methods).toContain('GET');
    const headers = String(res.headers['access-control-allow-headers']).toLowerCase();
    expect(headers).toContain('x-api-key');
    expect(headers).toContain('content-type');
  });

  it('grants a real request from an allowed origin and exposes the correlation ID', async () => {
    const { res, body } = await t.call({
      method: 'GET',
      url: URL,
      headers: { origin: ACME_ORIGIN, 'x-api-key': acme.keys.engagement },
    });
    expect(res.statusCode).toBe(200);
    expect(body.status.code).toBe(0);
    expect(res.headers['access-control-allow-origin']).toBe(ACME_ORIGIN);
    expect(String(res.headers['access-control-expose-headers'])).toContain('x-correlation-id');
  });

  it('refuses an origin that only another tenant allows with 403 / 40301 and no grant', async () => {
    const { res, body } = await t.call({
      method: 'GET',
      url: URL,
      headers: { origin: GLOBEX_ORIGIN, 'x-api-key': acme.keys.engagement },
    });
    expect(res.statusCode).toBe(403);
    expect(body.status.code).toBe(40301);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses an unknown origin, preflight and request, with 403 / 40301 and no grant', async () => {
    const pre = await preflight('https://evil.example');
    expect(pre.res.statusCode).toBe(403);
    expect(pre.body.status.code).toBe(40301);
    expect(pre.res.headers['access-control-allow-origin']).toBeUndefined();
    const { res, body } = await t.call({
      method: 'GET',
      url: URL,
      headers: { origin: 'https://evil.example', 'x-api-key': acme.keys.engagement },
    });
    expect(res.statusCode).toBe(403);
    expect(body.status.code).toBe(40301);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a request without an Origin (server to server) needs no grant', async () => {
    const { res } = await t.call({
      method: 'GET',
      url: URL,
      headers: { 'x-api-key': acme.keys.engagement },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an origin withdrawn through the service is refused at once on this node', async () => {
    await t.services.tenants.removeOrigin({ tenantId: 'globex', name: 'test' }, GLOBEX_ORIGIN);
    const { res } = await preflight(GLOBEX_ORIGIN);
    expect(res.statusCode).toBe(403);
  });
});
