// The service's side of the booking widget that needs no browser: the public CAPTCHA settings a
// booking page reads, and the demo page. The widget itself is driven in test/e2e/widget.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeCaptcha, type FakeCaptcha } from '../fakes/fake-captcha.js';
import { startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEngines } from '../helpers/engines.js';

describeEngines('booking widget routes', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;
  // Requiring CAPTCHA runs the credential's test: a local fake provider answers it.
  let captcha: FakeCaptcha;
  const SECRET = 'turnstile-secret-0123456789abcdef';

  beforeAll(async () => {
    captcha = await startFakeCaptcha({ provider: 'turnstile', secret: SECRET });
    t = await startTestApp(engine, { env: { TURNSTILE_VERIFY_URL: captcha.url } });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
    await captcha.close();
  });

  const config = (key: string | undefined, origin?: string) =>
    t.call({
      url: '/engagement/v3/captcha/config',
      headers: {
        ...(key === undefined ? {} : { 'x-api-key': key }),
        ...(origin === undefined ? {} : { origin }),
      },
    });
  const admin = (method: 'PUT', url: string, payload: object) =>
    t.call({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie: acme.cookies.Administrator },
      payload,
    });

  it("tells a booking page the tenant's CAPTCHA provider and site key, never its secret", async () => {
    expect((await config(acme.keys.engagement)).body.data).toEqual({ required: false });

    await admin('PUT', '/credentials/captcha', {
      provider: 'turnstile',
      siteKey: '0x4AAAAAAA-widget',
      secret: SECRET,
    });
    const registered = await config(acme.keys.engagement);
    expect(registered.body.data).toEqual({
      required: false,
      provider: 'turnstile',
      siteKey: '0x4AAAAAAA-widget',
    });
    expect(registered.res.body).not.toContain('turnstile-secret');

    const required = await admin('PUT', '/captcha-settings', { captchaRequired: true });
    expect(required.res.statusCode, required.res.body).toBe(200);
    expect((await config(acme.keys.engagement)).body.data).toMatchObject({ required: true });
  });

  it('answers like every Engagement route: a key is needed, and a foreign origin is refused', async () => {
    expect((await config(undefined)).body.status.code).toBe(40101);
    const foreign = await config(acme.keys.engagement, 'https://elsewhere.example');
    expect(foreign.res.statusCode).toBe(403);
    expect(foreign.body.status.code).toBe(40301);
    await t.services.tenants.addOrigin(
      { tenantId: 'acme', name: 'test' },
      'https://shop.example',
      'test',
    );
    const allowed = await config(acme.keys.engagement, 'https://shop.example');
    expect(allowed.res.statusCode).toBe(200);
    expect(allowed.res.headers['access-control-allow-origin']).toBe('https://shop.example');
  });

  it('lets pages the service serves itself (the demo page) call it without a CORS entry', async () => {
    const own = await t.call({
      url: '/engagement/v3/captcha/config',
      headers: {
        'x-api-key': acme.keys.engagement,
        host: 'callbacks.example',
        origin: 'http://callbacks.example',
      },
    });
    expect(own.res.statusCode, own.res.body).toBe(200);
    const other = await t.call({
      url: '/engagement/v3/captcha/config',
      headers: {
        'x-api-key': acme.keys.engagement,
        host: 'callbacks.example',
        origin: 'http://callbacks.example:8443',
      },
    });
    expect(other.body.status.code).toBe(40301);
  });

  it('serves a demo page that puts the given key and queue on the widget, escaped', async () => {
    const empty = await t.call({ url: '/widget/demo' });
    expect(empty.res.statusCode).toBe(200);
    expect(empty.res.body).toContain('<form method="get" action="/widget/demo">');
    expect(empty.res.body).not.toContain('<opencallback-booking ');
    // The snippet to copy names this service's own address.
    expect(empty.res.body).toContain(
      '&lt;script src="http://localhost:80/widget/v1/opencallback.js" defer&gt;',
    );

    const demo = await t.call({
      url: '/widget/demo?api-key=ocb_k&service=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&lang=fr',
    });
    expect(demo.res.body).toContain(
      '<opencallback-booking api-key="ocb_k" service="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;" lang="fr">',
    );
    expect(demo.res.body).not.toContain('<script>alert(1)');
  });
});
