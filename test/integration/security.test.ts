import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HTTPMethods, RouteOptions } from 'fastify';
import { describeEngines } from '../helpers/engines.js';
import { startTestApp, type TestTenant } from '../helpers/app.js';

interface RouteInfo {
  method: HTTPMethods;
  url: string;
  public: boolean;
  roles: readonly string[] | undefined;
}

/** Every route the app serves, with its access rules, as the app registered them. */
function recordRoute(routes: RouteInfo[], route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  // Read the config when asked: a plugin's own onRoute hook (queue check) may set the roles
  // after this app-level hook has seen the route.
  const config = () => (route.config ?? {}) as { public?: boolean; roles?: readonly string[] };
  for (const method of methods) {
    if (method === 'HEAD') continue;
    routes.push({
      method,
      url: route.url,
      get public() {
        return config().public === true;
      },
      get roles() {
        return config().roles;
      },
    });
  }
}

// The role table of the README ("Roles"), route by route: A Administrator, S Supervisor,
// D Developer, M Monitor. Each role gets what its console tabs imply (SPEC, "The web console").
const ROLE_TABLE: Record<string, string> = {
  'GET /admin/v1/session': 'ASDM',
  'GET /admin/v1/queues': 'ASDM',
  'GET /admin/v1/queues/:name': 'ASDM',
  'GET /admin/v1/queues/:name/slots': 'ASDM',
  'GET /admin/v1/stats/queues': 'ASDM',
  'GET /admin/v1/callbacks': 'ASDM',
  'GET /admin/v1/callbacks/:id': 'ASDM',
  // Callback tab, writing: Administrator and Supervisor.
  'POST /admin/v1/callbacks': 'AS',
  'POST /admin/v1/callbacks/:id/reschedule': 'AS',
  'POST /admin/v1/callbacks/:id/cancel': 'AS',
  'POST /admin/v1/callbacks/bulk-cancel': 'AS',
  'GET /admin/v1/jobs/:id': 'AS',
  'GET /admin/v1/callbacks/export.csv': 'AS',
  // Tools tab: settings for Administrator, Supervisor and Developer; what ends callbacks
  // (purge, deleting their queue) only for those who may cancel callbacks.
  'GET /admin/v1/tenant-config': 'ASD',
  'POST /admin/v1/tenant-config/refetch': 'ASD',
  'POST /admin/v1/queues': 'ASD',
  'PATCH /admin/v1/queues/:name': 'ASD',
  'POST /admin/v1/queues/:name/test-number': 'ASD',
  'DELETE /admin/v1/queues/:name': 'AS',
  'POST /admin/v1/queues/:name/purge': 'AS',
  'GET /admin/v1/queues/:name/purge': 'AS',
  // Queue check (Tools): the Engagement API's queue answers, for every Tools role.
  'GET /admin/v1/queue-check/callbacks/availability/:serviceName': 'ASD',
  'GET /admin/v1/queue-check/callbacks/open-for/:serviceName': 'ASD',
  'GET /admin/v1/queue-check/callbacks/queue-status/:serviceName': 'ASD',
  'GET /admin/v1/queue-check/estimated-wait-time': 'ASD',
  // Call-In tab: reading for the Tools roles, groups changed by the Administrator.
  'GET /admin/v1/call-in/groups': 'ASD',
  'GET /admin/v1/call-in/groups/:name': 'ASD',
  'GET /admin/v1/call-in/requests': 'ASD',
  'PUT /admin/v1/call-in/groups/:name': 'A',
  'DELETE /admin/v1/call-in/groups/:name': 'A',
  // Developer tab: Administrator and Developer.
  'GET /admin/v1/errors': 'AD',
  'GET /admin/v1/errors/:id': 'AD',
  'POST /admin/v1/api-keys/validate': 'AD',
  'GET /admin/v1/cors-origins': 'AD',
  'GET /admin/v1/credentials': 'AD',
  'GET /admin/v1/credentials/:feature': 'AD',
  'PUT /admin/v1/credentials/:feature': 'AD',
  'POST /admin/v1/credentials/:feature': 'AD',
  'DELETE /admin/v1/credentials/:feature': 'AD',
  'POST /admin/v1/credentials/:feature/test': 'AD',
  'POST /admin/v1/credentials/:feature/test-draft': 'AD',
  'GET /admin/v1/captcha-settings': 'AD',
  'PUT /admin/v1/captcha-settings': 'AD',
  'GET /admin/v1/webhooks': 'AD',
  'POST /admin/v1/webhooks': 'AD',
  'DELETE /admin/v1/webhooks/:id': 'AD',
  'GET /admin/v1/webhooks/:id/deliveries': 'AD',
  // Administration: keys, users, audit.
  'GET /admin/v1/api-keys': 'A',
  'POST /admin/v1/api-keys': 'A',
  'DELETE /admin/v1/api-keys/:id': 'A',
  'GET /admin/v1/users': 'A',
  'POST /admin/v1/users': 'A',
  'PATCH /admin/v1/users/:username': 'A',
  'DELETE /admin/v1/users/:username': 'A',
  'GET /admin/v1/audit': 'A',
};
const ROLE_LETTERS = { A: 'Administrator', S: 'Supervisor', D: 'Developer', M: 'Monitor' } as const;

// What a browser key may call (README, "API keys"): what its holder already knows.
const BROWSER_ROUTES = new Set([
  'POST /engagement/v3/callbacks/create',
  'POST /engagement/v3/callbacks/cancel',
  'POST /engagement/v3/callbacks/retrieve',
  'POST /engagement/v3/callbacks/reschedule',
  'POST /engagement/v3/callbacks/query',
  'GET /engagement/v3/callbacks/availability/:serviceName',
  'GET /engagement/v3/callbacks/open-for/:serviceName',
  'GET /engagement/v3/callbacks/queue-status/:serviceName',
  'GET /engagement/v3/estimated-wait-time',
  'POST /engagement/v3/captcha/verify',
  'GET /engagement/v3/captcha/config',
  'POST /engagement/v3/call-in/requests/create',
]);

// A concrete URL for a route pattern: parameters get a plausible value.
const concrete = (url: string) => url.replace(/:(\w+)/g, (_m, name: string) => `x-${name}`);

describeEngines('every route refuses callers it must refuse', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let a: TestTenant;
  let b: TestTenant;
  const routes: RouteInfo[] = [];

  beforeAll(async () => {
    t = await startTestApp(engine, { onRoute: (route) => recordRoute(routes, route) });
    a = await t.tenant('tenant-a');
    b = await t.tenant('tenant-b');
    await t.services.access.revokeApiKey({ tenantId: b.id, name: 'test' }, b.keyIds.engagement);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const engagement = () =>
    routes.filter((r) => r.url.startsWith('/engagement/v3/') && r.method !== 'OPTIONS');
  const admin = () => routes.filter((r) => r.url.startsWith('/admin/v1/') && !r.public);

  it('finds the routes to check', () => {
    expect(engagement().length).toBeGreaterThanOrEqual(9);
    expect(admin().length).toBeGreaterThanOrEqual(10);
  });

  it('Engagement API: no key is 40101, a wrong or revoked key 40102, with the envelope and corrId', async () => {
    for (const r of engagement()) {
      const url = concrete(r.url);
      const cases: [Record<string, string>, number, number][] = [
        [{}, 401, 40101],
        [{ 'x-api-key': 'ocb_not_a_real_key' }, 401, 40102],
        [{ 'x-api-key': b.keys.engagement }, 401, 40102],
      ];
      for (const [headers, http, code] of cases) {
        const { res, body } = await t.call({ method: r.method, url, headers, payload: {} });
        expect(res.statusCode, `${r.method} ${url} ${JSON.stringify(headers)}`).toBe(http);
        expect(body.status.code).toBe(code);
        expect(body.status.corrId).toBe(res.headers['x-correlation-id']);
      }
    }
  });

  it('Dispatch API: no key 40101, wrong or revoked key 40102, an engagement-scope key 40302', async () => {
    const dispatch = routes.filter((r) => r.url.startsWith('/dispatch/v1/'));
    expect(dispatch.length).toBeGreaterThanOrEqual(5);
    for (const r of dispatch) {
      const url = concrete(r.url);
      const cases: [Record<string, string>, number][] = [
        [{}, 40101],
        [{ 'x-api-key': 'ocb_not_a_real_key' }, 40102],
        [{ 'x-api-key': b.keys.engagement }, 40102],
        [{ 'x-api-key': a.keys.engagement }, 40302],
      ];
      for (const [headers, code] of cases) {
        const { body } = await t.call({ method: r.method, url, headers, payload: {} });
        expect(body.status.code, `${r.method} ${url}`).toBe(code);
      }
    }
  });

  it('Admin API: no session is 40103, and an engagement-scope key is 40302', async () => {
    for (const r of admin()) {
      const url = concrete(r.url);
      const anon = await t.call({ method: r.method, url, payload: {} });
      expect(anon.res.statusCode, `${r.method} ${url}`).toBe(401);
      expect(anon.body.status.code).toBe(40103);
      const wrongScope = await t.call({
        method: r.method,
        url,
        headers: { 'x-api-key': a.keys.engagement },
        payload: {},
      });
      expect(wrongScope.res.statusCode, `${r.method} ${url}`).toBe(403);
      expect(wrongScope.body.status.code).toBe(40302);
    }
  });

  it('Admin API: a role the route does not allow is 40302 on the server', async () => {
    let checked = 0;
    for (const r of admin()) {
      for (const role of ['Administrator', 'Supervisor', 'Developer', 'Monitor'] as const) {
        if (r.roles === undefined || r.roles.includes(role)) continue;
        const { res, body } = await t.call({
          method: r.method,
          url: concrete(r.url),
          headers: { cookie: a.cookies[role] },
          payload: {},
        });
        expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
        expect(body.status.code).toBe(40302);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('Admin API: each route allows exactly the roles of the README’s table, and those roles pass', async () => {
    const registered = new Map<string, string>();
    for (const r of admin()) {
      const roles = (r.roles ?? ['Administrator', 'Supervisor', 'Developer', 'Monitor'])
        .map((role) => role.charAt(0))
        .sort((x, y) => 'ASDM'.indexOf(x) - 'ASDM'.indexOf(y))
        .join('');
      registered.set(`${r.method} ${r.url}`, roles);
    }
    expect(Object.fromEntries(registered)).toEqual(ROLE_TABLE);
    for (const [route, letters] of Object.entries(ROLE_TABLE)) {
      const [method = 'GET', url = ''] = route.split(' ');
      for (const letter of letters) {
        const role = ROLE_LETTERS[letter as keyof typeof ROLE_LETTERS];
        const { res } = await t.call({
          method,
          url: concrete(url),
          headers: { cookie: a.cookies[role] },
          payload: {},
        });
        // Whatever the route then says of the made-up id or empty body (the CSV export is no
        // envelope), it is not a refusal of the caller.
        expect([401, 403], `${role} ${route}`).not.toContain(res.statusCode);
      }
    }
  });

  it('Engagement API: a browser key is refused (40303) exactly where the key policy says', async () => {
    const checked = new Set<string>();
    for (const r of engagement()) {
      const route = `${r.method} ${r.url}`;
      const url = concrete(r.url);
      const browser = await t.call({
        method: r.method,
        url,
        headers: { 'x-api-key': a.keys.browser },
        payload: { phoneNumber: '+12125550100' },
      });
      if (BROWSER_ROUTES.has(route)) {
        expect(browser.body.status.code, route).not.toBe(40303);
      } else {
        expect(browser.res.statusCode, route).toBe(403);
        expect(browser.body.status.code, route).toBe(40303);
      }
      const server = await t.call({
        method: r.method,
        url,
        headers: { 'x-api-key': a.keys.engagement },
        payload: {},
      });
      expect(server.body.status.code, route).not.toBe(40303);
      checked.add(route);
    }
    // Every route the policy lets a browser key call exists (a rename would be caught here).
    expect([...BROWSER_ROUTES].filter((r) => !checked.has(r))).toEqual([]);
  });

  it("another tenant's records answer 404, never 403", async () => {
    await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: a.cookies.Administrator },
      payload: { name: 'only-a' },
    });
    const created = await t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { serviceName: 'only-a', phoneNumber: '+12125550100' },
    });
    expect(created.res.statusCode).toBe(200);
    const asB = { 'x-api-key': b.keys.admin };
    const retrieve = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/retrieve',
      headers: asB,
      payload: { id: created.body.data.id },
    });
    expect(retrieve.res.statusCode).toBe(404);
    expect(retrieve.body.status.code).toBe(40401);
    const cancel = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/cancel',
      headers: asB,
      payload: { id: created.body.data.id },
    });
    expect(cancel.body.status.code).toBe(40401);
    const status = await t.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/only-a',
      headers: asB,
    });
    expect(status.body.status.code).toBe(40402);
    const queue = await t.call({
      method: 'GET',
      url: '/admin/v1/queues/only-a',
      headers: { cookie: b.cookies.Administrator },
    });
    expect(queue.res.statusCode).toBe(404);
    const revokeOther = await t.call({
      method: 'DELETE',
      url: `/admin/v1/api-keys/${a.keyIds.engagement}`,
      headers: { cookie: b.cookies.Administrator },
    });
    expect(revokeOther.res.statusCode).toBe(404);
    // ...and tenant A's key still works.
    const still = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/retrieve',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { id: created.body.data.id },
    });
    expect(still.res.statusCode).toBe(200);
  });
});
