import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import type { TenantConfigStatus as ConfigStatus } from '../../../src/http/schemas/operations.js';

type App = TestApp & { dropDatabase(): Promise<void> };

const file = (globexQueue: string) => `
tenants:
  - id: acme
    queues: [{name: support}]
  - id: globex
    queues: [{name: sales, ${globexQueue}}]
`;

describeEngines('tenant configuration errors, per tenant', (engine) => {
  let dir: string;
  let source: string;
  let t: App;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-config-errors-'));
    source = path.join(dir, 'tenants.yaml');
    fs.writeFileSync(source, file('slotCapacity: 5'));
    t = await startTestApp(engine, { env: { TENANT_CONFIG: source } });
    expect((await t.services.tenantConfig.refresh()).ok).toBe(true);
    for (const id of ['acme', 'globex']) {
      keys[id] = (
        await t.services.access.createApiKey({ tenantId: id, name: 'test' }, 'admin')
      ).key;
    }
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const status = async (id: string) =>
    (
      await t.call<ConfigStatus>({
        method: 'GET',
        url: '/admin/v1/tenant-config',
        headers: { 'x-api-key': keys[id] ?? '' },
      })
    ).body.data;

  it('shows a tenant its own part’s error, others only that the refresh failed, and no path', async () => {
    fs.writeFileSync(source, file('slotDurationMinutes: 121'));
    const refetch = await t.call({
      method: 'POST',
      url: '/admin/v1/tenant-config/refetch',
      headers: { 'x-api-key': keys.acme ?? '' },
    });
    expect(refetch.res.statusCode).toBe(400);
    expect(refetch.body.status.message).toMatch(/last good one stays/);
    expect(refetch.body.status.message).not.toMatch(/slotDurationMinutes|globex|sales/);

    const acme = await status('acme');
    expect(acme.lastError).toMatch(/outside this tenant’s part/);
    expect(JSON.stringify(acme)).not.toMatch(/slotDurationMinutes|globex|sales/);
    expect(JSON.stringify(acme)).not.toContain(dir);

    const globex = await status('globex');
    expect(globex.lastError).toMatch(/tenants\[1\]\.queues\[0\].*slotDurationMinutes/);
    expect(JSON.stringify(globex)).not.toContain(dir);

    const audit = await t.call({
      method: 'GET',
      url: '/admin/v1/audit?limit=200',
      headers: { 'x-api-key': keys.acme ?? '' },
    });
    expect(JSON.stringify(audit.body)).not.toMatch(/slotDurationMinutes/);

    // Repaired: nobody sees an error any more.
    fs.writeFileSync(source, file('slotCapacity: 6'));
    expect((await t.services.tenantConfig.refresh()).ok).toBe(true);
    expect((await status('acme')).lastError).toBeNull();
    expect((await status('globex')).lastError).toBeNull();
  });
});
