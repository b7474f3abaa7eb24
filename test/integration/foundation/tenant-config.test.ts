import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines, type EngineName } from '../../helpers/engines.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import type { TenantConfigStatus as ConfigStatus } from '../../../src/http/schemas/operations.js';

const MINUTE = 60_000;

const acmeYaml = (origins: string[]) => `
tenants:
  - id: acme
    name: Acme Corp
    timezone: America/New_York
    corsOrigins: [${origins.join(', ')}]
    queues:
      - name: support
        businessHours: {weekly: {mon: [["09:00", "17:00"]]}}
        slotCapacity: 5
`;

/** An app reading TENANT_CONFIG from `source`, started the way the server starts (refresh first). */
async function startWithConfig(engine: EngineName, source: string) {
  const t = await startTestApp(engine, { env: { TENANT_CONFIG: source } });
  const started = await t.services.tenantConfig.refresh();
  return { t, started };
}

/** An admin-scope key of a tenant the configuration created (its console users do not exist). */
async function adminKey(t: TestApp, tenantId: string): Promise<string> {
  return (await t.services.access.createApiKey({ tenantId, name: 'test' }, 'admin')).key;
}

describeEngines('tenant configuration from TENANT_CONFIG', (engine) => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-tenant-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is applied at start, refetched on demand, and a broken file keeps the last good one', async () => {
    const file = path.join(dir, 'tenants.yaml');
    fs.writeFileSync(file, acmeYaml(['https://www.acme.com']));
    const { t, started } = await startWithConfig(engine, file);
    try {
      expect(started).toEqual({ ok: true, error: null });
      const key = await adminKey(t, 'acme');
      const get = async <T>(url: string) =>
        (await t.call<T>({ method: 'GET', url, headers: { 'x-api-key': key } })).body.data;
      const refetch = () =>
        t.call<ConfigStatus>({
          method: 'POST',
          url: '/admin/v1/tenant-config/refetch',
          headers: { 'x-api-key': key },
        });
      const origins = async () =>
        (await get<{ items: { origin: string }[] }>('/admin/v1/cors-origins')).items.map(
          (o) => o.origin,
        );

      const startedAt = new Date(t.clock.now()).toISOString();
      expect(await get<ConfigStatus>('/admin/v1/tenant-config')).toMatchObject({
        lastRefreshedAt: startedAt,
        lastError: null,
      });
      expect(await origins()).toEqual(['https://www.acme.com']);
      expect(await t.services.queues.get('acme', 'support')).toMatchObject({
        slotCapacity: 5,
        timezone: 'America/New_York',
      });

      // The operator edits the file; a refetch picks it up and moves lastRefreshedAt.
      fs.writeFileSync(file, acmeYaml(['https://www.acme.com', 'https://app.acme.com']));
      t.clock.advance(5 * MINUTE);
      const refetched = await refetch();
      expect(refetched.res.statusCode).toBe(200);
      const refreshedAt = new Date(t.clock.now()).toISOString();
      expect(refetched.body.data).toMatchObject({ lastRefreshedAt: refreshedAt, lastError: null });
      expect(await origins()).toEqual(['https://app.acme.com', 'https://www.acme.com']);

      // Half-written: the refetch fails, says why, and the last good configuration stays.
      const good = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, good.slice(0, good.indexOf('"17:00"') + 3));
      t.clock.advance(5 * MINUTE);
      const broken = await refetch();
      expect(broken.res.statusCode).toBe(400);
      expect(broken.body.status.code).toBe(40001);
      expect(broken.body.status.message).toContain('last good one stays');
      const status = await get<ConfigStatus>('/admin/v1/tenant-config');
      expect(status.lastRefreshedAt).toBe(refreshedAt);
      expect(status.lastError).toContain('tenants.yaml');
      expect(await origins()).toEqual(['https://app.acme.com', 'https://www.acme.com']);
      expect(await t.services.queues.get('acme', 'support')).toMatchObject({ slotCapacity: 5 });

      // Valid YAML with an invalid queue is refused as a whole, too.
      fs.writeFileSync(
        file,
        acmeYaml(['https://only.acme.com']).replace('slotCapacity: 5', 'slotDurationMinutes: 121'),
      );
      expect((await refetch()).res.statusCode).toBe(400);
      expect(await origins()).toEqual(['https://app.acme.com', 'https://www.acme.com']);

      // The periodic refresh (the job) reports the error the same way.
      const periodic = await t.services.tenantConfig.refresh();
      expect(periodic.ok).toBe(false);
      expect(periodic.error).toContain('slotDurationMinutes');

      // Repaired: applied again and the error is cleared.
      fs.writeFileSync(file, acmeYaml(['https://www.acme.com']));
      t.clock.advance(MINUTE);
      const repaired = await refetch();
      expect(repaired.body.data).toMatchObject({
        lastRefreshedAt: new Date(t.clock.now()).toISOString(),
        lastError: null,
      });
      expect(await origins()).toEqual(['https://www.acme.com']);
    } finally {
      await t.close();
      await t.dropDatabase();
    }
  });

  it('reads every YAML and JSON file of a folder', async () => {
    const folder = path.join(dir, 'conf.d');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '10-acme.yaml'), acmeYaml(['https://www.acme.com']));
    fs.writeFileSync(
      path.join(folder, '20-globex.json'),
      JSON.stringify({
        tenants: [
          { id: 'globex', corsOrigins: ['https://globex.com'], queues: [{ name: 'sales' }] },
        ],
      }),
    );
    fs.writeFileSync(path.join(folder, 'README.txt'), 'not configuration');
    const { t, started } = await startWithConfig(engine, folder);
    try {
      expect(started).toEqual({ ok: true, error: null });
      expect((await t.services.tenants.list()).map((x) => x.id).sort()).toEqual(['acme', 'globex']);
      expect((await t.services.queues.list('globex')).map((q) => q.name)).toEqual(['sales']);
      expect(await t.services.tenants.tenantsAllowingOrigin('https://globex.com')).toEqual(
        new Set(['globex']),
      );
    } finally {
      await t.close();
      await t.dropDatabase();
    }
  });
});
