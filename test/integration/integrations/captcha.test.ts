import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { CAPTCHA_SITE_KEY, credentialBodies, startFakes, type Fakes } from './fakes.js';

describeEngines('CAPTCHA', (engine) => {
  let fakes: Fakes;
  let t: TestApp & { dropDatabase(): Promise<void> };
  let a: TestTenant;

  beforeAll(async () => {
    fakes = await startFakes();
    t = await startTestApp(engine, { env: fakes.env });
    a = await t.tenant('acme');
    const queue = await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: a.cookies.Administrator },
      payload: { name: 'support' },
    });
    expect(queue.res.statusCode, queue.res.body).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
    await fakes.close();
  });

  const admin = (method: 'GET' | 'PUT', url: string, payload?: object) =>
    t.call({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie: a.cookies.Administrator },
      ...(payload === undefined ? {} : { payload }),
    });
  const book = (phoneNumber: string, captchaToken?: string) =>
    t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { serviceName: 'support', phoneNumber, ...(captchaToken ? { captchaToken } : {}) },
    });

  it('cannot be required before a CAPTCHA credential is registered', async () => {
    const res = await admin('PUT', '/captcha-settings', { captchaRequired: true });
    expect(res.res.statusCode).toBe(400);
    expect(res.body.status.message).toMatch(/Register a CAPTCHA credential/);
    expect((await book('+12025550101')).res.statusCode).toBe(200);
  });

  it("cannot be required while the CAPTCHA credential's test fails", async () => {
    const wrong = { ...credentialBodies(fakes).captcha, secret: 'not-the-secret-0123456789' };
    expect((await admin('PUT', '/credentials/captcha', wrong)).res.statusCode).toBe(200);
    const res = await admin('PUT', '/captcha-settings', { captchaRequired: true });
    expect(res.res.statusCode).toBe(400);
    expect(res.body.status.code).toBe(40001);
    expect(res.body.status.message).toMatch(/test fails \(recaptcha rejected the secret key\)/);
    expect((await admin('GET', '/captcha-settings')).body.data).toEqual({ captchaRequired: false });
    expect((await book('+12025550109')).res.statusCode).toBe(200);
  });

  it('when required, a booking without a token fails 40005 and one with a solved token succeeds', async () => {
    await admin('PUT', '/credentials/captcha', credentialBodies(fakes).captcha);
    const on = await admin('PUT', '/captcha-settings', { captchaRequired: true });
    expect(on.body.data).toEqual({ captchaRequired: true });
    expect((await admin('GET', '/captcha-settings')).body.data).toEqual({ captchaRequired: true });

    const without = await book('+12025550102');
    expect(without.res.statusCode).toBe(400);
    expect(without.body.status.code).toBe(40005);
    expect(without.body.status.message).toMatch(/captchaToken is required/);

    const bad = await book('+12025550102', 'never-solved');
    expect(bad.body.status.code).toBe(40005);
    expect(bad.body.status.message).toMatch(/invalid-input-response/);

    fakes.captcha.addToken('solved-1');
    const good = await book('+12025550102', 'solved-1');
    expect(good.res.statusCode, good.res.body).toBe(200);
    expect((good.body.data as { id: string }).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    // Tokens are single-use at the provider: replaying one fails.
    expect((await book('+12025550103', 'solved-1')).body.status.code).toBe(40005);
  });

  it('staff booking from the console needs no CAPTCHA while public bookings still do', async () => {
    const staff = await t.call({
      method: 'POST',
      url: '/admin/v1/callbacks',
      headers: { cookie: a.cookies.Supervisor },
      payload: { serviceName: 'support', phoneNumber: '+12025550104' },
    });
    expect(staff.res.statusCode, staff.res.body).toBe(200);
    expect((await book('+12025550105')).body.status.code).toBe(40005);
  });

  it('captcha/verify answers success for a solved token of the registered site key', async () => {
    const verify = (siteKey: string, captchaToken: string) =>
      t.call({
        method: 'POST',
        url: '/engagement/v3/captcha/verify',
        headers: { 'x-api-key': a.keys.engagement },
        payload: { siteKey, captchaToken },
      });
    fakes.captcha.addToken('solved-2');
    expect((await verify(CAPTCHA_SITE_KEY, 'solved-2')).body.data).toMatchObject({ success: true });
    expect((await verify(CAPTCHA_SITE_KEY, 'solved-2')).body.data).toMatchObject({
      success: false,
      errorCodes: ['timeout-or-duplicate'],
    });
    fakes.captcha.addToken('solved-3');
    expect((await verify('another-site', 'solved-3')).body.data).toMatchObject({ success: false });
  });

  it('turning the requirement off lets bookings through without a token', async () => {
    await admin('PUT', '/captcha-settings', { captchaRequired: false });
    expect((await book('+12025550104')).res.statusCode).toBe(200);
    const audit = await t.services.audit.list('acme', 20);
    expect(audit.filter((e) => e.action === 'tenant.settings.captcha')).toHaveLength(2);
  });

  // Several nodes share one database only on PostgreSQL.
  if (engine !== 'postgres') return;
  it('another node requires CAPTCHA as soon as it hears of the change, not when its cache expires', async () => {
    const second = await startTestApp(engine, {
      shared: t.config.database,
      clock: t.clock,
      env: fakes.env,
    });
    let phone = 200;
    const bookOnSecond = () =>
      second.call({
        method: 'POST',
        url: '/engagement/v3/callbacks/create',
        headers: { 'x-api-key': a.keys.engagement },
        payload: { serviceName: 'support', phoneNumber: `+12025550${phone++}` },
      });
    try {
      expect((await bookOnSecond()).res.statusCode).toBe(200);
      await admin('PUT', '/captcha-settings', { captchaRequired: true });
      // The fake clock stands still: only the announcement can make the second node forget.
      await expect
        .poll(async () => (await bookOnSecond()).body.status.code, { timeout: 5_000 })
        .toBe(40005);
    } finally {
      await admin('PUT', '/captcha-settings', { captchaRequired: false });
      await second.close();
    }
  });
});
