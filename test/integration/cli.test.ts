import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/security/secret-box.js';
import type { DatabaseTarget } from '../../src/store/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { describeEngines, freshDatabase, type EngineName } from '../helpers/engines.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const CLI = path.resolve('src/cli.ts');
const MASTER_KEY = generateMasterKey();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `opencallback …` as a real child process with the given environment. */
function cli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), MASTER_KEY, ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The CLI's environment for a fresh database of the engine, and the same database as a target. */
async function cliDatabase(
  engine: EngineName,
): Promise<{ env: Record<string, string>; target: DatabaseTarget; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cli-'));
    const target: DatabaseTarget = { kind: 'sqlite', file: path.join(dataDir, 'opencallback.db') };
    return {
      env: { DATA_DIR: dataDir },
      target,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const fresh = await freshDatabase('postgres');
  if (fresh.target.kind !== 'postgres') throw new Error('expected a PostgreSQL target');
  return {
    env: { DATABASE_URL: fresh.target.url },
    target: fresh.target,
    drop: () => fresh.drop(),
  };
}

const oneLine = (text: string) => text.trimEnd().split('\n').length === 1;

describeEngines('the opencallback CLI', (engine) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let server: TestApp;
  let dir: string;
  const run = (...args: string[]) => cli(env, ...args);

  beforeAll(async () => {
    const database = await cliDatabase(engine);
    env = database.env;
    drop = database.drop;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cli-files-'));
    const migrated = await run('migrate');
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^Applied /);
    server = await startTestApp(engine, { shared: database.target });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrate again finds the schema up to date', async () => {
    const again = await run('migrate');
    expect(again).toMatchObject({ code: 0, stdout: 'The schema is up to date\n' });
  });

  it('creates and lists tenants; a taken id fails with exit 1 and one line', async () => {
    const created = await run(
      'tenant',
      'create',
      'acme',
      '--name',
      'Acme Corp',
      '--timezone',
      'Europe/Berlin',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('acme');
    await run('tenant', 'create', 'globex');
    const list = await run('tenant', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^acme\s+Acme Corp\s+Europe\/Berlin$/),
      expect.stringMatching(/^globex\s+globex\s+UTC$/),
    ]);
    const taken = await run('tenant', 'create', 'acme');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already exists');
    expect(oneLine(taken.stderr)).toBe(true);
    const badZone = await run('tenant', 'create', 'initech', '--timezone', 'Mars/Olympus');
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toContain('unknown time zone');
  }, 60_000);

  it('refuses bad arguments with one line on stderr, nothing on stdout and exit 2', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['tenant'],
      ['tenant', 'create'],
      ['tenant', 'create', 'a', 'b'],
      ['tenant', 'create', 'x', '--colour', 'red'],
      ['apikey', 'create', 'acme', '--scope', 'root'],
      ['apikey', 'revoke', 'acme'],
      ['user', 'create', 'acme', 'bob'],
      ['user', 'create', 'acme', 'bob', '--role', 'Boss'],
      ['cors', 'add', 'acme'],
      ['apply'],
    ];
    const results = await Promise.all(cases.map((args) => run(...args)));
    results.forEach((r, i) => {
      const what = JSON.stringify(cases[i]);
      expect(r.code, what).toBe(2);
      expect(r.stdout, what).toBe('');
      expect(oneLine(r.stderr), `${what}: ${r.stderr}`).toBe(true);
    });
    expect(results[8]?.stderr).toContain('--role is required');
    expect(results[9]?.stderr).toContain('Administrator');
  }, 60_000);

  it('help lists every command', async () => {
    const help = await run('help');
    expect(help.code).toBe(0);
    for (const command of [
      'tenant create',
      'apikey revoke',
      'user create',
      'cors add',
      'apply',
      'migrate',
    ]) {
      expect(help.stdout).toContain(`opencallback ${command}`);
    }
  });

  it('creates an API key that the server accepts (only the key on stdout), lists and revokes it', async () => {
    const created = await run('apikey', 'create', 'acme', '--scope', 'engagement', '--name', 'web');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^\S+\n$/);
    const key = created.stdout.trim();
    const known = await server.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/nope',
      headers: { 'x-api-key': key },
    });
    // The key is accepted: the answer is about the missing queue, not the key.
    expect(known.body.status.code).toBe(40402);

    const list = await run('apikey', 'list', 'acme');
    const row = list.stdout.split('\n').find((l) => l.includes('web'));
    expect(row).toMatch(/^key_\S+\s+engagement\s+browser\s+\S+\s+web\s+active$/);
    const keyId = row?.split(/\s+/)[0] ?? '';

    const revoked = await run('apikey', 'revoke', 'acme', keyId);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await run('apikey', 'list', 'acme')).stdout).toMatch(new RegExp(`${keyId}.*revoked`));
    server.clock.advance(6_000); // past the server's 5-second key cache
    const refused = await server.call({
      method: 'GET',
      url: '/engagement/v3/callbacks/queue-status/nope',
      headers: { 'x-api-key': key },
    });
    expect(refused.body.status.code).toBe(40102);

    const again = await run('apikey', 'revoke', 'acme', keyId);
    expect(again.code).toBe(1);
    const otherTenant = await run('apikey', 'revoke', 'globex', keyId);
    expect(otherTenant.code).toBe(1);
    const unknownTenant = await run('apikey', 'create', 'nobody');
    expect(unknownTenant).toMatchObject({ code: 1, stdout: '' });
    expect(unknownTenant.stderr).toContain('No tenant nobody');
    expect((await run('apikey', 'list', 'nobody')).code).toBe(1);
  }, 60_000);

  it('makes a browser key by default and a server key with --kind server', async () => {
    const query = async (key: string) =>
      (
        await server.call({
          method: 'POST',
          url: '/engagement/v3/callbacks/query',
          headers: { 'x-api-key': key },
          payload: {},
        })
      ).body.status.code;
    const browser = await run('apikey', 'create', 'acme');
    expect(browser.code, browser.stderr).toBe(0);
    expect(browser.stderr).toContain('engagement browser key');
    // Listing every callback needs a server key.
    expect(await query(browser.stdout.trim())).toBe(40303);
    const serverKey = await run(
      'apikey',
      'create',
      'acme',
      '--kind',
      'server',
      '--name',
      'backend',
    );
    expect(serverKey.code, serverKey.stderr).toBe(0);
    expect(await query(serverKey.stdout.trim())).toBe(0);
    expect((await run('apikey', 'list', 'acme')).stdout).toMatch(
      /engagement\s+server\s+\S+\s+backend/,
    );
    const dispatchBrowser = await run(
      'apikey',
      'create',
      'acme',
      '--scope',
      'dispatch',
      '--kind',
      'browser',
    );
    expect(dispatchBrowser.code).toBe(2);
    expect((await run('apikey', 'create', 'acme', '--kind', 'public')).code).toBe(2);
  }, 60_000);

  it('disables, enables and deletes console users; each ends their sessions', async () => {
    const password = 'a-long-enough-secret';
    expect(
      (await run('user', 'create', 'acme', 'dora', '--role', 'Developer', '--password', password))
        .code,
    ).toBe(0);
    const login = () =>
      server.call({
        method: 'POST',
        url: '/admin/v1/login',
        payload: { tenant: 'acme', username: 'dora', password },
      });
    const first = await login();
    expect(first.res.statusCode).toBe(200);
    const cookie = `oc_session=${first.res.cookies.find((c) => c.name === 'oc_session')?.value ?? ''}`;
    const me = () => server.call({ method: 'GET', url: '/admin/v1/session', headers: { cookie } });
    expect((await me()).res.statusCode).toBe(200);

    expect((await run('user', 'disable', 'acme', 'dora')).code).toBe(0);
    expect((await me()).res.statusCode).toBe(401);
    expect((await login()).body.status.code).toBe(40104);
    expect((await run('user', 'list', 'acme')).stdout).toMatch(/dora\s+Developer\s+disabled/);
    expect((await run('user', 'enable', 'acme', 'dora')).code).toBe(0);
    expect((await login()).res.statusCode).toBe(200);
    expect((await run('user', 'delete', 'acme', 'dora')).code).toBe(0);
    expect((await login()).body.status.code).toBe(40104);
    expect((await run('user', 'delete', 'acme', 'dora')).code).toBe(1);
    const weak = await run(
      'user',
      'create',
      'acme',
      'eve',
      '--role',
      'Monitor',
      '--password',
      'password1234',
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('too common');
  }, 60_000);

  it('creates console users: a generated password (alone on stdout) or a given one logs in', async () => {
    const generated = await run('user', 'create', 'acme', 'alice', '--role', 'Supervisor');
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toMatch(/^\S{12,}\n$/);
    const given = await run(
      'user',
      'create',
      'acme',
      'bob',
      '--role',
      'Monitor',
      '--password',
      'monitor-secret-pw',
    );
    expect(given.code, given.stderr).toBe(0);
    for (const [username, password, role] of [
      ['alice', generated.stdout.trim(), 'Supervisor'],
      ['bob', 'monitor-secret-pw', 'Monitor'],
    ] as const) {
      const login = await server.call({
        method: 'POST',
        url: '/admin/v1/login',
        payload: { tenant: 'acme', username, password },
      });
      expect(login.res.statusCode).toBe(200);
      expect(login.body.data).toMatchObject({ username, role });
    }
    const unknown = await run('user', 'create', 'nobody', 'carol', '--role', 'Monitor');
    expect(unknown.code).toBe(1);
  }, 60_000);

  it('adds, lists and removes CORS origins; a malformed origin fails', async () => {
    expect((await run('cors', 'add', 'globex', 'https://shop.globex.com')).code).toBe(0);
    const twice = await run('cors', 'add', 'globex', 'https://shop.globex.com');
    expect(twice).toMatchObject({ code: 0 });
    expect(twice.stdout).toContain('already');
    expect((await run('cors', 'list', 'globex')).stdout).toMatch(
      /^https:\/\/shop\.globex\.com\s+cli\n$/,
    );
    expect((await run('cors', 'remove', 'globex', 'https://shop.globex.com')).code).toBe(0);
    expect((await run('cors', 'list', 'globex')).stdout).toBe('');
    const bad = await run('cors', 'add', 'globex', 'https://shop.globex.com/path');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not an origin');
    expect((await run('cors', 'remove', 'globex', 'https://never.example')).code).toBe(1);
    expect((await run('cors', 'list', 'nobody')).code).toBe(1);
  }, 60_000);

  it('an origin added with the CLI is granted by a server on the same database; another is refused', async () => {
    const allowed = 'https://app.acme.com';
    expect((await run('cors', 'add', 'acme', allowed)).code).toBe(0);
    const key = (await run('apikey', 'create', 'acme')).stdout.trim();
    const url = '/engagement/v3/callbacks/queue-status/nope';

    const preflight = await server.call({
      method: 'OPTIONS',
      url,
      headers: {
        origin: allowed,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-api-key',
      },
    });
    expect(preflight.res.statusCode).toBe(204);
    expect(preflight.res.headers['access-control-allow-origin']).toBe(allowed);
    expect(String(preflight.res.headers['access-control-allow-headers'])).toContain('x-api-key');
    expect(String(preflight.res.headers['access-control-allow-methods'])).toContain('GET');

    const granted = await server.call({
      method: 'GET',
      url,
      headers: { origin: allowed, 'x-api-key': key },
    });
    expect(granted.res.headers['access-control-allow-origin']).toBe(allowed);
    expect(granted.body.status.code).toBe(40402);

    const refused = await server.call({
      method: 'GET',
      url,
      headers: { origin: 'https://evil.example', 'x-api-key': key },
    });
    expect(refused.res.statusCode).toBe(403);
    expect(refused.body.status.code).toBe(40301);
    expect(refused.res.headers['access-control-allow-origin']).toBeUndefined();
  }, 60_000);

  const CONFIG = `
tenants:
  - id: initech
    name: Initech
    timezone: America/New_York
    corsOrigins: [https://www.initech.com, https://app.initech.com]
    queues:
      - name: support
        businessHours: {weekly: {mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]]}}
        slotCapacity: 5
      - name: sales
        slotDurationMinutes: 30
`;

  /** What a user can see of a tenant: the CLI's listings and its queues as the server has them. */
  async function snapshot(tenant: string) {
    const [tenants, origins] = await Promise.all([
      run('tenant', 'list'),
      run('cors', 'list', tenant),
    ]);
    return {
      tenants: tenants.stdout,
      origins: origins.stdout,
      queues: await server.services.queues.list(tenant),
    };
  }

  it('apply provisions tenants, origins and queues, and applying again changes nothing', async () => {
    const file = path.join(dir, 'tenants.yaml');
    fs.writeFileSync(file, CONFIG);
    const first = await run('apply', file);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/initech\s+2 queues\s+2 origins/);
    expect((await run('cors', 'list', 'initech')).stdout).toContain('https://app.initech.com');
    const queues = await server.services.queues.list('initech');
    expect(queues.map((q) => q.name).sort()).toEqual(['sales', 'support']);
    expect(queues.find((q) => q.name === 'support')).toMatchObject({
      slotCapacity: 5,
      timezone: 'America/New_York',
    });

    const before = await snapshot('initech');
    const second = await run('apply', file);
    expect(second.code, second.stderr).toBe(0);
    expect(await snapshot('initech')).toEqual(before);
  }, 60_000);

  it('a broken file changes nothing and says what is wrong', async () => {
    const before = await snapshot('initech');
    const halfWritten = path.join(dir, 'half.yaml');
    // Cut inside a flow list, as a writer interrupted mid-save leaves it.
    fs.writeFileSync(halfWritten, CONFIG.slice(0, CONFIG.indexOf('"17:00"') + 3));
    const invalidQueue = path.join(dir, 'invalid.yaml');
    fs.writeFileSync(
      invalidQueue,
      CONFIG.replace(
        '[https://www.initech.com, https://app.initech.com]',
        '[https://only.initech.com]',
      )
        .replace('slotDurationMinutes: 30', 'slotDurationMinutes: 3')
        .concat('  - id: newco\n'),
    );
    const files = [halfWritten, invalidQueue, path.join(dir, 'missing.yaml')];
    const results = await Promise.all(files.map((file) => run('apply', file)));
    results.forEach((result, i) => {
      expect(result.code, files[i]).toBe(1);
      expect(result.stdout).toBe('');
      expect(oneLine(result.stderr), result.stderr).toBe(true);
    });
    expect(results[1]?.stderr).toContain('slotDurationMinutes');
    expect(await snapshot('initech')).toEqual(before);
  }, 60_000);
});
