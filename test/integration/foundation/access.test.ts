import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

const MINUTE = 60_000;

describeEngines('API key validation and console sessions', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const validate = async (key: string) => {
    const { res, body } = await t.call<{ valid: boolean; message: string }>({
      method: 'POST',
      url: '/admin/v1/api-keys/validate',
      headers: { 'x-api-key': acme.keys.admin },
      payload: { key },
    });
    expect(res.statusCode).toBe(200);
    return body.data;
  };

  it('validates a key: this tenant’s is valid; a wrong, another tenant’s or a revoked one is not', async () => {
    expect(await validate(acme.keys.engagement)).toEqual({
      valid: true,
      message: 'Valid API Key — engagement, server',
      scope: 'engagement',
      kind: 'server',
    });
    expect(await validate(acme.keys.browser)).toMatchObject({
      message: 'Valid API Key — engagement, browser',
    });
    // A dispatch key is valid, but says so: the Engagement API refuses it.
    expect(await validate(` ${acme.keys.dispatch}\n`)).toMatchObject({
      valid: true,
      message: 'Valid API Key — dispatch, server',
    });
    expect(await validate('ocb_not_a_key')).toEqual({ valid: false, message: 'Invalid API Key' });
    expect(await validate(globex.keys.engagement)).toMatchObject({ valid: false });
    const actor = { tenantId: 'acme', name: 'test' };
    const doomed = await t.services.access.createApiKey(actor, 'engagement');
    expect(await validate(doomed.key)).toMatchObject({ valid: true });
    await t.services.access.revokeApiKey(actor, doomed.id);
    expect(await validate(doomed.key)).toMatchObject({ valid: false });
  });

  const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
    t.call<{ username: string; role: string; idleTimeoutSeconds: number }>({
      method: 'POST',
      url: '/admin/v1/login',
      payload: { tenant: 'acme', username, password },
      remoteAddress,
    });

  const session = (cookie: string) =>
    t.call<{ username: string }>({ method: 'GET', url: '/admin/v1/session', headers: { cookie } });

  it('logs in with an httpOnly SameSite=Strict cookie and logs out', async () => {
    const { res, body } = await login('supervisor', PASSWORD, '10.0.0.1');
    expect(res.statusCode).toBe(200);
    expect(body.data).toMatchObject({
      username: 'supervisor',
      role: 'Supervisor',
      idleTimeoutSeconds: 1200,
    });
    const cookie = res.cookies.find((c) => c.name === 'oc_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const header = `oc_session=${cookie?.value ?? ''}`;
    expect((await session(header)).body.data.username).toBe('supervisor');

    const out = await t.call({
      method: 'POST',
      url: '/admin/v1/logout',
      headers: { cookie: header },
    });
    expect(out.res.statusCode).toBe(200);
    const after = await session(header);
    expect(after.res.statusCode).toBe(401);
    expect(after.body.status.code).toBe(40103);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await login('supervisor', 'not the password', '10.0.0.2');
    const unknown = await login('nobody', PASSWORD, '10.0.0.2');
    for (const r of [wrong, unknown]) {
      expect(r.res.statusCode).toBe(401);
      expect(r.body.status.code).toBe(40104);
      expect(r.res.cookies).toEqual([]);
    }
    expect(wrong.body.status.message).toBe(unknown.body.status.message);
  });

  it('a session idle for more than 20 minutes is over; activity keeps it alive', async () => {
    const { res } = await login('monitor', PASSWORD, '10.0.0.3');
    const header = `oc_session=${res.cookies.find((c) => c.name === 'oc_session')?.value ?? ''}`;
    t.clock.advance(19 * MINUTE);
    expect((await session(header)).res.statusCode).toBe(200);
    t.clock.advance(19 * MINUTE);
    expect((await session(header)).res.statusCode).toBe(200);
    t.clock.advance(21 * MINUTE);
    const expired = await session(header);
    expect(expired.res.statusCode).toBe(401);
    expect(expired.body.status.code).toBe(40103);
  });

  it('limits login attempts: the 11th in a minute from one address gets the 429 envelope', async () => {
    const address = '10.0.0.99';
    for (let i = 1; i <= 10; i++) {
      const attempt = await login('supervisor', `wrong password ${i}`, address);
      expect(attempt.res.statusCode, `attempt ${i}`).toBe(401);
    }
    const limited = await login('supervisor', PASSWORD, address);
    expect(limited.res.statusCode).toBe(429);
    expect(limited.body.status.code).toBe(42904);
    expect(limited.body.status.corrId).toBe(limited.res.headers['x-correlation-id']);
    expect(limited.res.cookies).toEqual([]);
    // Another address is not held back.
    expect((await login('supervisor', PASSWORD, '10.0.0.100')).res.statusCode).toBe(200);
  });
});
