import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import type { UserView } from '../../src/http/schemas/access.js';

const STRONG = 'lantern-orbit-42-quince';

describeEngines('console users', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine, {
      env: { SESSION_IDLE_MINUTES: '60', SESSION_MAX_HOURS: '2' },
    });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  // The admin-scope key: the lifetime test moves the clock past every session.
  const admin = <T = Record<string, unknown>>(
    method: string,
    url: string,
    payload?: Record<string, unknown>,
  ) =>
    t.call<T>({
      method,
      url: `/admin/v1${url}`,
      headers: { 'x-api-key': acme.keys.admin },
      ...(payload === undefined ? {} : { payload }),
    });
  // Each login from an address of its own: logins are rate limited per address.
  let logins = 0;
  const login = async (username: string, password: string) => {
    logins++;
    const res = await t.call({
      method: 'POST',
      url: '/admin/v1/login',
      payload: { tenant: 'acme', username, password },
      remoteAddress: `10.1.${Math.floor(logins / 250)}.${logins % 250}`,
    });
    const cookie = res.res.cookies.find((c) => c.name === 'oc_session');
    return { code: res.body.status.code, cookie: `oc_session=${cookie?.value ?? ''}` };
  };
  const alive = async (cookie: string) =>
    (await t.call({ method: 'GET', url: '/admin/v1/session', headers: { cookie } })).res
      .statusCode === 200;

  it('an Administrator creates a user; weak, common and username-based passwords are refused', async () => {
    for (const [password, message] of [
      ['aaaaaaaa', /at least 12 characters/],
      ['password1234', /too common/],
      ['Qwerty123456!', /too common/],
      ['carol-carol-2026', /must not contain the username/],
      ['abababababab', /at least 5 different characters/],
    ] as const) {
      const weak = await admin('POST', '/users', {
        username: 'carol',
        role: 'Supervisor',
        password,
      });
      expect(weak.res.statusCode, password).toBe(400);
      expect(weak.body.status.code).toBe(40001);
      expect(weak.body.status.message).toMatch(message);
    }
    const made = await admin<UserView>('POST', '/users', {
      username: 'carol',
      role: 'Supervisor',
      password: STRONG,
    });
    expect(made.res.statusCode, JSON.stringify(made.body.status)).toBe(200);
    expect((await login('carol', STRONG)).code).toBe(0);
    const twice = await admin('POST', '/users', { username: 'carol', role: 'Monitor' });
    expect(twice.body.status.code).toBe(40903);
    const generated = await admin<{ generatedPassword: string }>('POST', '/users', {
      username: 'dave',
      role: 'Monitor',
    });
    expect((await login('dave', generated.body.data.generatedPassword)).code).toBe(0);
    const list = await admin<{ items: UserView[] }>('GET', '/users');
    expect(list.body.data.items).toContainEqual(
      expect.objectContaining({ username: 'carol', role: 'Supervisor', disabled: false }),
    );
    expect(JSON.stringify(list.body.data)).not.toMatch(/argon2|password/i);
  });

  it('disabling a user ends their session and refuses their login until enabled again', async () => {
    const { cookie } = await login('carol', STRONG);
    expect(await alive(cookie)).toBe(true);
    const disabled = await admin<UserView>('PATCH', '/users/carol', { disabled: true });
    expect(disabled.body.data).toMatchObject({ disabled: true });
    expect(await alive(cookie)).toBe(false);
    expect((await login('carol', STRONG)).code).toBe(40104);
    await admin('PATCH', '/users/carol', { disabled: false });
    expect((await login('carol', STRONG)).code).toBe(0);
  });

  it('a password change or a role change ends every session of the user', async () => {
    const first = await login('carol', STRONG);
    const second = await login('carol', STRONG);
    const changed = await admin('PATCH', '/users/carol', { password: `${STRONG}-new` });
    expect(changed.res.statusCode).toBe(200);
    expect(await alive(first.cookie)).toBe(false);
    expect(await alive(second.cookie)).toBe(false);
    expect((await login('carol', STRONG)).code).toBe(40104);
    const fresh = await login('carol', `${STRONG}-new`);
    expect(fresh.code).toBe(0);
    await admin('PATCH', '/users/carol', { role: 'Monitor' });
    expect(await alive(fresh.cookie)).toBe(false);
    const again = await login('carol', `${STRONG}-new`);
    // The new session has the new role: a Monitor cannot cancel.
    const cancel = await t.call({
      method: 'POST',
      url: '/admin/v1/callbacks/x/cancel',
      headers: { cookie: again.cookie },
    });
    expect(cancel.body.status.code).toBe(40302);
  });

  it('a session ends after its absolute lifetime, however active', async () => {
    const { cookie } = await login('carol', `${STRONG}-new`);
    for (let minutes = 0; minutes < 115; minutes += 30) {
      t.clock.advance(30 * 60_000);
      expect(await alive(cookie), `after ${minutes + 30} minutes`).toBe(true);
    }
    t.clock.advance(10 * 60_000); // 2 h 10 min after login, active every 30 minutes
    expect(await alive(cookie)).toBe(false);
  });

  it('deleting a user ends their sessions; the last active Administrator stays', async () => {
    const { cookie } = await login('carol', `${STRONG}-new`);
    const deleted = await admin('DELETE', '/users/carol');
    expect(deleted.res.statusCode).toBe(200);
    expect(await alive(cookie)).toBe(false);
    expect((await login('carol', `${STRONG}-new`)).code).toBe(40104);
    expect((await admin('DELETE', '/users/carol')).res.statusCode).toBe(404);

    // acme has one Administrator: it can be neither demoted, disabled nor deleted.
    for (const [method, payload] of [
      ['PATCH', { role: 'Supervisor' }],
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const refused = await admin(method, '/users/administrator', payload);
      expect(refused.res.statusCode).toBe(409);
      expect(refused.body.status.code).toBe(40904);
    }
    // With a second Administrator, the first may go.
    await admin('POST', '/users', { username: 'erin', role: 'Administrator', password: STRONG });
    expect(
      (await admin('PATCH', '/users/administrator', { role: 'Supervisor' })).res.statusCode,
    ).toBe(200);
  });
});
