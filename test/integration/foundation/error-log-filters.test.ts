import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import type { ErrorSummary } from '../../../src/http/schemas/errors-log.js';

describeEngines('searching the error log', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    acme = await t.tenant('acme');
    const engagement = (
      url: string,
      corrId: string,
      payload?: object,
      key = acme.keys.engagement,
    ) =>
      t.call({
        method: payload === undefined ? 'GET' : 'POST',
        url,
        headers: { 'x-api-key': key, 'x-correlation-id': corrId },
        ...(payload === undefined ? {} : { payload }),
      });
    // 10:00 UTC: two refused bookings (unknown queue: 404; bad number: 400 after a queue exists).
    t.clock.set('2026-11-25T10:00:00Z');
    await engagement('/engagement/v3/callbacks/create', 'Shop-Checkout-aaa', {
      serviceName: 'nope',
      phoneNumber: '+14155550123',
    });
    await t.services.queues.create({ tenantId: acme.id, name: 'support' }, { name: 'support' });
    await engagement('/engagement/v3/callbacks/create', 'shop-checkout-bbb', {
      serviceName: 'support',
      phoneNumber: '12',
    });
    // 12:00 UTC: an availability query of an unknown queue, and a dispatch key used on the API.
    t.clock.set('2026-11-25T12:00:00Z');
    await engagement('/engagement/v3/callbacks/availability/nope', 'widget-1');
    await engagement(
      '/engagement/v3/callbacks/queue-status/support',
      'widget.2',
      undefined,
      acme.keys.dispatch,
    );
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  async function search(params: string) {
    const { res, body } = await t.call<{ items: ErrorSummary[] }>({
      method: 'GET',
      url: `/admin/v1/errors?${params}`,
      headers: { cookie: acme.cookies.Developer },
    });
    expect(res.statusCode, JSON.stringify(body.status)).toBe(200);
    return body.data.items.map((e) => e.corrId).sort();
  }

  it('finds errors by the beginning of a correlation ID, in any case', async () => {
    expect(await search('corrId=shop-CHECKOUT')).toEqual([
      'Shop-Checkout-aaa',
      'shop-checkout-bbb',
    ]);
    expect(await search('corrId=shop-checkout-b')).toEqual(['shop-checkout-bbb']);
    // LIKE wildcards in the search are plain characters (correlation IDs never contain them).
    expect(await search('corrId=widget')).toEqual(['widget-1', 'widget.2']);
    expect(await search('corrId=widget_')).toEqual([]);
    expect(await search('corrId=%25')).toEqual([]);
  });

  it('narrows by HTTP status or status class, catalogue code, path and time', async () => {
    expect(await search('status=404')).toEqual(['Shop-Checkout-aaa', 'widget-1']);
    expect(await search('status=4xx')).toHaveLength(4);
    expect(await search('status=5xx')).toEqual([]);
    expect(await search('code=40302')).toEqual(['widget.2']);
    expect(await search('path=/engagement/v3/callbacks/create')).toEqual([
      'Shop-Checkout-aaa',
      'shop-checkout-bbb',
    ]);
    expect(await search('path=/engagement/v3/callbacks/create&status=400')).toEqual([
      'shop-checkout-bbb',
    ]);
    expect(await search('from=2026-11-25T11:00:00Z')).toEqual(['widget-1', 'widget.2']);
    expect(await search('to=2026-11-25T11:00:00Z')).toEqual([
      'Shop-Checkout-aaa',
      'shop-checkout-bbb',
    ]);
  });

  it('lists each error with its full message', async () => {
    const { body } = await t.call<{ items: ErrorSummary[] }>({
      method: 'GET',
      url: '/admin/v1/errors?corrId=widget.',
      headers: { cookie: acme.cookies.Developer },
    });
    expect(body.data.items[0]?.message).toMatch(/dispatch scope cannot call this/);
  });

  it('answers 400 for a malformed filter instead of ignoring it', async () => {
    for (const params of ['status=4x', 'status=600', 'from=yesterday', 'code=abc']) {
      const { res, body } = await t.call({
        method: 'GET',
        url: `/admin/v1/errors?${params}`,
        headers: { cookie: acme.cookies.Developer },
      });
      expect(res.statusCode, params).toBe(400);
      expect(body.status.code, params).toBe(40001);
    }
  });
});
