import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { migrate, openDb, type QueryListener } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createServices, type Services } from '../../src/services/index.js';
import { Keyring, generateMasterKey } from '../../src/security/secret-box.js';
import type { Role, Scope } from '../../src/services/access.js';
import { LOOPBACK_ALLOWED } from '../fakes/outbound.js';
import { FakeClock } from './clock.js';
import { freshDatabase, type EngineName } from './engines.js';

/** The GES envelope as a test reads it. */
export interface Envelope<T = Record<string, unknown>> {
  status: { code: number; message: string; corrId: string };
  data: T;
}

/** Keys of a test tenant: a server key of each scope, and a browser engagement key. */
export type TestKey = Scope | 'browser';

/** A tenant made for a test, with a key of each scope and a logged-in user per role. */
export interface TestTenant {
  id: string;
  /** `engagement` is a server key (what existing tests call with); `browser` a browser key. */
  keys: Record<TestKey, string>;
  keyIds: Record<TestKey, string>;
  cookies: Record<Role, string>;
}

/**
 * The services with the store beside them: the app never reaches the store but through a use case,
 * while a test may look at what was written, or set up what no route makes.
 */
export type TestServices = Services & { readonly store: Store };

/** The real app over a real, fresh database, with a fake clock. */
export interface TestApp {
  app: FastifyInstance;
  services: TestServices;
  clock: FakeClock;
  config: Config;
  /** A request through the real HTTP stack; the body parsed as JSON when it is JSON. */
  call<T = Record<string, unknown>>(
    opts: InjectOptions,
  ): Promise<{ res: LightMyRequestResponse; body: Envelope<T> }>;
  tenant(id: string, opts?: { timezone?: string }): Promise<TestTenant>;
  close(): Promise<void>;
}

const PASSWORD = 'correct horse battery';
const TEST_MASTER_KEY = generateMasterKey();

/**
 * Another node of `first`'s PostgreSQL database, on the same fake clock, with these variables
 * (nodes of one deployment share their configuration).
 */
export function startOtherNode(first: TestApp, env: Record<string, string> = {}) {
  return startTestApp('postgres', { env, shared: first.config.database, clock: first.clock });
}

/** Boots the app on `engine` (or on an existing database target, for a second node). */
export async function startTestApp(
  engine: EngineName,
  opts: {
    env?: Record<string, string>;
    clock?: FakeClock;
    shared?: TestApp['config']['database'];
    onRoute?: (route: RouteOptions) => void;
    onQuery?: QueryListener;
    /** Log lines at this level go to `logger.stream` (silent otherwise). */
    logger?: { level: string; stream: { write(line: string): void } };
  } = {},
): Promise<TestApp & { dropDatabase(): Promise<void> }> {
  const fresh = opts.shared ? undefined : await freshDatabase(engine);
  const target = opts.shared ?? fresh?.target;
  if (!target) throw new Error('no database');
  const config: Config = {
    // The local fakes listen on loopback; SSRF tests pass OUTBOUND_ALLOW: '' to see the guard.
    // Suites book from one address far faster than any person: rate limits only where a test asks.
    ...loadConfig({
      SEED_DEMO: 'false',
      RUN_JOBS: 'false',
      OUTBOUND_ALLOW: LOOPBACK_ALLOWED,
      RATE_LIMITS: 'false',
      ...opts.env,
    }),
    database: target,
  };
  const db = openDb(target, { onQuery: opts.onQuery });
  await migrate(db);
  const clock = opts.clock ?? new FakeClock();
  // Nodes of one installation share the master key, as they must in production.
  const masterKey = opts.env?.MASTER_KEY ?? TEST_MASTER_KEY;
  const store = createStore(db);
  const services: TestServices = {
    ...createServices(config, store, clock, new Keyring(masterKey)),
    store,
  };
  await services.invalidation.start();
  const app = await buildApp({
    config,
    services,
    logger: opts.logger ?? false,
    onRoute: opts.onRoute,
  });
  await app.ready();

  const call: TestApp['call'] = async (injectOpts) => {
    const res = await app.inject(injectOpts);
    const isJson = String(res.headers['content-type'] ?? '').includes('json');
    return { res, body: isJson ? res.json() : ({} as never) };
  };

  let logins = 0;
  const tenant: TestApp['tenant'] = async (id, tenantOpts = {}) => {
    await services.tenants.create({ id, timezone: tenantOpts.timezone ?? 'UTC', source: 'test' });
    const actor = { tenantId: id, name: 'test' };
    const keys = {} as Record<TestKey, string>;
    const keyIds = {} as Record<TestKey, string>;
    for (const scope of ['engagement', 'dispatch', 'admin'] as const) {
      const created = await services.access.createApiKey(actor, scope, '', 'server');
      keys[scope] = created.key;
      keyIds[scope] = created.id;
    }
    const browser = await services.access.createApiKey(actor, 'engagement', '', 'browser');
    keys.browser = browser.key;
    keyIds.browser = browser.id;
    const cookies = {} as Record<Role, string>;
    for (const role of ['Administrator', 'Supervisor', 'Developer', 'Monitor'] as const) {
      const username = role.toLowerCase();
      await services.access.upsertUser(actor, username, role, PASSWORD);
      // Each set-up login from an address of its own: the login limit is per address, and a
      // suite's set-up is not what a test of that limit means to count.
      logins++;
      const login = await app.inject({
        method: 'POST',
        url: '/admin/v1/login',
        remoteAddress: `127.0.${logins >> 8}.${logins & 255}`,
        payload: { tenant: id, username, password: PASSWORD },
      });
      const cookie = login.cookies.find((c) => c.name === 'oc_session');
      if (!cookie) throw new Error(`login failed for ${username}: ${login.body}`);
      cookies[role] = `oc_session=${cookie.value}`;
    }
    return { id, keys, keyIds, cookies };
  };

  return {
    app,
    services,
    clock,
    config,
    call,
    tenant,
    close: async () => {
      await app.close();
      await services.rateLimits.close();
      await services.invalidation.stop();
      await db.close();
    },
    dropDatabase: async () => fresh?.drop(),
  };
}

export { PASSWORD };
