import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

describeEngines('operations endpoints and the envelope for what no route serves', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  it('answers /healthz and /readyz', async () => {
    const health = await t.call({ method: 'GET', url: '/healthz' });
    expect(health.res.statusCode).toBe(200);
    expect(health.res.json()).toEqual({ status: 'ok' });
    const ready = await t.call({ method: 'GET', url: '/readyz' });
    expect(ready.res.statusCode).toBe(200);
    expect(ready.res.json()).toEqual({ status: 'ready' });
  });

  it('serves Prometheus metrics with request counts by route and status', async () => {
    await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/none',
      headers: { 'x-api-key': acme.keys.engagement },
    });
    const { res } = await t.call({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toContain('text/plain');
    expect(res.body).toContain('# TYPE opencallback_http_requests_total counter');
    expect(res.body).toMatch(
      /opencallback_http_requests_total\{method="GET",route="\/engagement\/v3\/callbacks\/queue-status\/:serviceName",status="404"\} 1/,
    );
    expect(res.body).toContain('opencallback_process_resident_memory_bytes');
    // Counts only grow: a second request and a second scrape show both requests, once each.
    await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/none',
      headers: { 'x-api-key': acme.keys.engagement },
    });
    const again = await t.call({ method: 'GET', url: '/metrics' });
    expect(again.res.body).toMatch(
      /opencallback_http_requests_total\{method="GET",route="\/engagement\/v3\/callbacks\/queue-status\/:serviceName",status="404"\} 2\n/,
    );
    expect(again.res.body).toMatch(
      /opencallback_http_requests_total\{method="GET",route="\/metrics",status="200"\} 1\n/,
    );
  });

  it('exports queue figures without naming tenants or queues (no METRICS_TOKEN)', async () => {
    await t.services.queues.create({ tenantId: acme.id, name: 'test' }, { name: 'sales' });
    for (const phoneNumber of ['+12125550101', '+12125550102']) {
      await t.call({
        method: 'POST',
        url: '/engagement/v3/callbacks/create',
        headers: { 'x-api-key': acme.keys.engagement },
        payload: { serviceName: 'sales', phoneNumber },
      });
    }
    const [first] = await t.services.booking.query(acme.id, { serviceName: 'sales' });
    await t.services.booking.cancel(acme.id, first?.id ?? '');
    const { body } = await t.call({ method: 'GET', url: '/metrics' }).then((r) => ({
      body: r.res.body,
    }));
    // Totals over every queue; per-queue figures need the token (test/integration/foundation/metrics).
    expect(body).toContain('opencallback_queue_waiting 1\n');
    expect(body).toContain('opencallback_queue_completed_today{reason="CANCELLED"} 1');
    expect(body).toMatch(/opencallback_queue_ewt -?\d+/);
    expect(body).not.toMatch(/acme|sales|tenant=/);
  });

  it('publishes the OpenAPI 3.1 document and a browsable reference', async () => {
    const doc = await t.call({ method: 'GET', url: '/openapi.json' });
    expect(doc.res.statusCode).toBe(200);
    const spec = doc.res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.paths).toHaveProperty('/engagement/v3/callbacks/create');
    expect(spec.paths).toHaveProperty('/admin/v1/errors');

    let docs = await t.call({ method: 'GET', url: '/docs' });
    if (docs.res.statusCode === 302) {
      docs = await t.call({ method: 'GET', url: String(docs.res.headers.location) });
    }
    expect(docs.res.statusCode).toBe(200);
    expect(String(docs.res.headers['content-type'])).toContain('text/html');
    expect(docs.res.body).toContain('<html');
  });

  it('answers an unknown route in the envelope with the correlation ID', async () => {
    // A GET elsewhere loads the console (a single-page app), so the non-API case is a POST.
    const cases = [
      ['POST', '/nowhere'],
      ['GET', '/engagement/v3/callbacks/teleport'],
      ['GET', '/admin/v1/nothing'],
    ] as const;
    for (const [method, url] of cases) {
      const { res, body } = await t.call({
        method,
        url,
        headers: { 'x-correlation-id': 'lost-1', 'x-api-key': acme.keys.engagement },
      });
      expect(res.statusCode, url).toBe(404);
      expect(body.status).toMatchObject({ code: 40403, corrId: 'lost-1' });
      expect(res.headers['x-correlation-id']).toBe('lost-1');
    }
  });

  it('answers malformed JSON in the envelope', async () => {
    const { res, body } = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': acme.keys.engagement, 'content-type': 'application/json' },
      payload: '{"serviceName": ',
    });
    expect(res.statusCode).toBe(400);
    expect(body.status.code).toBe(40006);
    expect(body.status.corrId).toBe(res.headers['x-correlation-id']);
  });

  it('mints a correlation ID when none or a malformed one is sent', async () => {
    const { res, body } = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/none',
      headers: { 'x-correlation-id': 'bad id with spaces' },
    });
    expect(body.status.code).toBe(40101);
    expect(body.status.corrId).not.toBe('bad id with spaces');
    expect(body.status.corrId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-correlation-id']).toBe(body.status.corrId);
  });
});
