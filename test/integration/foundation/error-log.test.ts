import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import type { ErrorDetail, ErrorSummary } from '../../../src/http/schemas/errors-log.js';

const DAY = 86_400_000;

describeEngines('the error log of the Engagement API', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine, {
      env: { ERROR_LOG_MAX_PER_TENANT: '10', ERROR_LOG_RETENTION_DAYS: '14' },
    });
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    await t.services.tenants.addOrigin(
      { tenantId: 'acme', name: 'test' },
      'https://www.acme.com',
      'test',
    );
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  // Admin calls use the admin-scope key: the retention test moves the clock past any session.
  /** The tenant's error log entries with this correlation ID. */
  async function findErrors(tenant: TestTenant, corrId: string) {
    const { res, body } = await t.call<{ items: ErrorSummary[] }>({
      method: 'GET',
      url: `/admin/v1/errors?corrId=${encodeURIComponent(corrId)}`,
      headers: { 'x-api-key': tenant.keys.admin },
    });
    expect(res.statusCode).toBe(200);
    return body.data.items;
  }

  async function errorDetail(tenant: TestTenant, id: string) {
    const { res, body } = await t.call<ErrorDetail>({
      method: 'GET',
      url: `/admin/v1/errors/${id}`,
      headers: { 'x-api-key': tenant.keys.admin },
    });
    expect(res.statusCode).toBe(200);
    return body.data;
  }

  it('an error with a key is found by its correlation ID, redacted, with the response sent', async () => {
    const corrId = 'trace-create-1';
    const payload = {
      serviceName: 'no-such-queue',
      phoneNumber: '+14155550123',
      userData: { customerId: 'C-42', note: 'VIP' },
      captchaToken: 'captcha-secret-token',
    };
    const { res, body } = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': acme.keys.engagement, 'x-correlation-id': corrId },
      payload,
    });
    expect(res.statusCode).toBe(404);
    expect(body.status).toMatchObject({ code: 40402, corrId });
    expect(res.headers['x-correlation-id']).toBe(corrId);

    const [entry, ...more] = await findErrors(acme, corrId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      corrId,
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      statusCode: 404,
      code: 40402,
      message: body.status.message,
    });
    const detail = await errorDetail(acme, entry?.id ?? '');
    expect(detail.request.headers['x-api-key']).toBe('[REDACTED]');
    expect(detail.request.body).toMatchObject({
      serviceName: 'no-such-queue',
      userData: '[REDACTED]',
      captchaToken: '[REDACTED]',
    });
    expect(JSON.stringify(detail)).not.toContain(acme.keys.engagement);
    expect(JSON.stringify(detail)).not.toContain('VIP');
    expect(JSON.stringify(detail)).not.toContain('captcha-secret-token');
    expect(detail.response).toEqual(body);

    // Another tenant sees nothing of it, not even the detail by id.
    expect(await findErrors(globex, corrId)).toEqual([]);
    const other = await t.call({
      method: 'GET',
      url: `/admin/v1/errors/${entry?.id ?? ''}`,
      headers: { 'x-api-key': globex.keys.admin },
    });
    expect(other.res.statusCode).toBe(404);
  });

  it('an unknown Engagement path answers 40403 and is logged for the key’s tenant', async () => {
    const { res, body } = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/no-such-thing',
      headers: { 'x-api-key': acme.keys.engagement },
    });
    expect(res.statusCode).toBe(404);
    expect(body.status.code).toBe(40403);
    const [logged] = await findErrors(acme, body.status.corrId);
    expect(logged).toMatchObject({ statusCode: 404, code: 40403 });
    expect(await findErrors(globex, body.status.corrId)).toEqual([]);
  });

  it('a keyless error is only counted: its Origin and correlation ID write into no tenant’s log', async () => {
    const corrId = 'trace-no-key-1';
    const unauthenticated = async () => {
      const metrics = await t.call({ method: 'GET', url: '/metrics' });
      const line = /opencallback_unauthenticated_errors_total\{presented="none"\} (\d+)/.exec(
        metrics.res.body,
      );
      return Number(line?.[1] ?? 'NaN');
    };
    const before = await unauthenticated();
    const { res, body } = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/support',
      headers: { origin: 'https://www.acme.com', 'x-correlation-id': corrId },
    });
    expect(res.statusCode).toBe(401);
    expect(body.status).toMatchObject({ code: 40101, corrId });
    expect(await findErrors(acme, corrId)).toEqual([]);
    expect(await findErrors(globex, corrId)).toEqual([]);
    expect(await unauthenticated()).toBe(before + 1);
  });

  it('a bad key is shown only to the tenant owning a key with its prefix, marked with it', async () => {
    const prefix = /^ocb_.{6}/.exec(acme.keys.browser)?.[0] ?? '';
    const typo = `${prefix}_not-the-rest-of-the-key`;
    const wrong = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/support',
      headers: { 'x-api-key': typo, 'x-correlation-id': 'trace-typo' },
    });
    expect(wrong.body.status.code).toBe(40102);
    expect(await findErrors(acme, 'trace-typo')).toMatchObject([
      { code: 40102, keyPrefix: prefix },
    ]);
    expect(await findErrors(globex, 'trace-typo')).toEqual([]);
    // A key matching nobody's prefix lands in no log, even with a tenant's Origin.
    await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/support',
      headers: {
        'x-api-key': 'ocb_zzzzzz_made-up',
        origin: 'https://www.acme.com',
        'x-correlation-id': 'trace-made-up',
      },
    });
    expect(await findErrors(acme, 'trace-made-up')).toEqual([]);
    // A valid key refused for its Origin is its tenant's own error, unmarked.
    const foreign = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/support',
      headers: {
        'x-api-key': globex.keys.browser,
        origin: 'https://www.acme.com',
        'x-correlation-id': 'trace-foreign-origin',
      },
    });
    expect(foreign.body.status.code).toBe(40301);
    const [logged] = await findErrors(globex, 'trace-foreign-origin');
    expect(logged).toMatchObject({ code: 40301 });
    expect(logged).not.toHaveProperty('keyPrefix');
    expect(await findErrors(acme, 'trace-foreign-origin')).toEqual([]);
  });

  it('a revoked key and malformed JSON are logged for the key’s tenant', async () => {
    const created = await t.services.access.createApiKey(
      { tenantId: 'acme', name: 'test' },
      'engagement',
    );
    await t.services.access.revokeApiKey({ tenantId: 'acme', name: 'test' }, created.id);
    const revoked = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/support',
      headers: { 'x-api-key': created.key, 'x-correlation-id': 'trace-revoked' },
    });
    expect(revoked.body.status.code).toBe(40102);
    expect(await findErrors(acme, 'trace-revoked')).toHaveLength(1);

    const malformed = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: {
        'x-api-key': acme.keys.engagement,
        'content-type': 'application/json',
        'x-correlation-id': 'trace-malformed',
      },
      payload: '{"serviceName": "support", "phoneNumber": ',
    });
    expect(malformed.res.statusCode).toBe(400);
    expect(malformed.body.status).toMatchObject({ code: 40006, corrId: 'trace-malformed' });
    expect(await findErrors(acme, 'trace-malformed')).toMatchObject([{ code: 40006 }]);
  });

  it('a flood of errors cannot grow a tenant’s log beyond its cap; the newest are kept', async () => {
    const corrIds = Array.from({ length: 60 }, (_, i) => `flood-${i}`);
    for (const corrId of corrIds) {
      await t.call({
        method: 'GET',
        url: '/engagement/v3/callbacks/queue-status/no-such-queue',
        headers: { 'x-api-key': globex.keys.engagement, 'x-correlation-id': corrId },
      });
    }
    const { body } = await t.call<{ items: ErrorSummary[] }>({
      method: 'GET',
      url: '/admin/v1/errors?limit=200',
      headers: { 'x-api-key': globex.keys.admin },
    });
    expect(body.data.items).toHaveLength(10);
    expect(body.data.items.map((e) => e.corrId)).toEqual(corrIds.slice(-10).reverse());
    expect(await findErrors(globex, 'flood-0')).toEqual([]);
  });

  it('errors older than the retention period are removed by the pruning job', async () => {
    const before = await findErrors(acme, 'trace-create-1');
    expect(before).toHaveLength(1);
    t.clock.advance(13 * DAY);
    await t.services.errors.pruneAll();
    expect(await findErrors(acme, 'trace-create-1')).toHaveLength(1);
    t.clock.advance(2 * DAY);
    await t.services.errors.pruneAll();
    expect(await findErrors(acme, 'trace-create-1')).toEqual([]);
  });
});
