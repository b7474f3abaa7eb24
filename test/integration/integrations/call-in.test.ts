import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';

const NUMBERS = ['+18005550100', '+18005550101'];

interface CallInAnswer {
  id: string;
  toPhoneNumber: string;
  groupName: string;
  expirationTime: number;
  // A number in Engagement answers (as GES clients read it), a string in the console's records.
  accessCode?: string | number;
  fromPhoneNumber?: string;
  callbackServiceId?: string;
  userData?: Record<string, string>;
  callback?: { id: string; callbackState: string };
}

describeEngines('click-to-call-in', (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let a: TestTenant;
  let b: TestTenant;
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-callin-'));
  const configFile = path.join(configDir, 'tenants.yaml');

  beforeAll(async () => {
    t = await startTestApp(engine, { env: { TENANT_CONFIG: configFile } });
    a = await t.tenant('acme');
    b = await t.tenant('globex');
    await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: a.cookies.Administrator },
      payload: { name: 'support' },
    });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  const adminCall = (
    method: 'GET' | 'PUT' | 'DELETE',
    url: string,
    cookie: string,
    payload?: object,
  ) =>
    t.call({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie },
      ...(payload ? { payload } : {}),
    });
  const ivr = (tenant: TestTenant, url: string, payload: object) =>
    t.call<CallInAnswer>({
      method: 'POST',
      url: `/engagement/v3/call-in/requests/${url}`,
      headers: { 'x-api-key': tenant.keys.engagement },
      payload,
    });

  it('groups are managed by Administrators and read by Supervisors and Developers', async () => {
    const group = {
      numbers: NUMBERS,
      accessCodeEnabled: true,
      accessCodeLength: 1,
      expirySeconds: 120,
    };
    const bySupervisor = await adminCall(
      'PUT',
      '/call-in/groups/sales',
      a.cookies.Supervisor,
      group,
    );
    expect(bySupervisor.res.statusCode).toBe(403);
    const saved = await adminCall('PUT', '/call-in/groups/sales', a.cookies.Administrator, group);
    expect(saved.res.statusCode, saved.res.body).toBe(200);
    expect(saved.body.data).toMatchObject({ name: 'sales', numbers: NUMBERS, accessCodeLength: 1 });
    for (const role of ['Supervisor', 'Developer'] as const) {
      const list = await adminCall('GET', '/call-in/groups', a.cookies[role]);
      expect(list.res.statusCode).toBe(200);
    }
    expect((await adminCall('GET', '/call-in/groups', a.cookies.Monitor)).res.statusCode).toBe(403);
    const bad = await adminCall('PUT', '/call-in/groups/bad', a.cookies.Administrator, {
      numbers: ['+1900555'],
    });
    expect(bad.res.statusCode).toBe(400);
    expect(bad.body.status.message).toMatch(/numbers\[0\]/);
  });

  it('hands out every number and code pair once, then answers a clear 429', async () => {
    const callback = await t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { serviceName: 'support', phoneNumber: '+12025550150' },
    });
    const pairs = new Set<string>();
    // 2 numbers × 9 one-digit codes (1–9: none starts with 0), requested concurrently.
    const created = await Promise.all(
      Array.from({ length: 18 }, (_, i) =>
        ivr(a, 'create', {
          groupName: 'sales',
          fromPhoneNumber: '+12025550160',
          userData: { order: String(i) },
          ...(i === 0 ? { callbackServiceId: callback.body.data.id } : {}),
        }),
      ),
    );
    for (const c of created) {
      expect(c.res.statusCode, c.res.body).toBe(200);
      expect(NUMBERS).toContain(c.body.data.toPhoneNumber);
      expect(typeof c.body.data.accessCode).toBe('number');
      expect(String(c.body.data.accessCode)).toMatch(/^[1-9]$/);
      expect(c.body.data.expirationTime).toBe(t.clock.now() + 120_000);
      pairs.add(`${c.body.data.toPhoneNumber}/${c.body.data.accessCode ?? ''}`);
    }
    expect(pairs.size).toBe(18);
    const exhausted = await ivr(a, 'create', { groupName: 'sales' });
    expect(exhausted.res.statusCode).toBe(429);
    expect(exhausted.body.status.code).toBe(42905);
    expect(exhausted.body.status.message).toMatch(
      /Every call-in number of group "sales" is in use \(2 number\(s\) × 9 access codes\)/,
    );
  });

  it('an IVR matches a request once, with its userData and linked callback', async () => {
    const records = await adminCall(
      'GET',
      '/call-in/requests?groupName=sales&limit=500',
      a.cookies.Developer,
    );
    const items = (records.body.data as { items: (CallInAnswer & { status: string })[] }).items;
    expect(items).toHaveLength(18);
    const linked = items.find((r) => r.callbackServiceId !== undefined);
    if (!linked) throw new Error('no linked request');
    const call = {
      toPhoneNumber: linked.toPhoneNumber,
      accessCode: linked.accessCode,
      fromPhoneNumber: '+12025550160',
    };

    expect(
      (await ivr(a, 'match', { ...call, fromPhoneNumber: '+12025550199' })).res.statusCode,
    ).toBe(404);
    expect((await ivr(b, 'match', call)).res.statusCode).toBe(404);
    const matched = await ivr(a, 'match', call);
    expect(matched.res.statusCode, matched.res.body).toBe(200);
    expect(matched.body.data).toMatchObject({
      id: linked.id,
      groupName: 'sales',
      userData: { order: '0' },
      callback: { id: linked.callbackServiceId, callbackState: 'QUEUED' },
    });
    const again = await ivr(a, 'match', call);
    expect(again.res.statusCode).toBe(404);
    expect(again.body.status.message).toMatch(/No live call-in request/);

    // The consumed pair is free again.
    const next = await ivr(a, 'create', { groupName: 'sales' });
    expect(next.body.data).toMatchObject({
      toPhoneNumber: linked.toPhoneNumber,
      accessCode: Number(linked.accessCode),
    });
  });

  it('expired requests never match and free their numbers', async () => {
    const records = await adminCall('GET', '/call-in/requests?limit=1', a.cookies.Administrator);
    const [latest] = (records.body.data as { items: CallInAnswer[] }).items;
    if (!latest) throw new Error('no request');
    t.clock.advance(120_000);
    const late = await ivr(a, 'match', {
      toPhoneNumber: latest.toPhoneNumber,
      accessCode: latest.accessCode,
    });
    expect(late.res.statusCode).toBe(404);
    const after = await adminCall('GET', '/call-in/requests?limit=500', a.cookies.Administrator);
    const statuses = (after.body.data as { items: { status: string }[] }).items.map(
      (i) => i.status,
    );
    expect(statuses.filter((s) => s === 'matched')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'expired')).toHaveLength(18);
    expect((await ivr(a, 'create', { groupName: 'sales' })).res.statusCode).toBe(200);
  });

  it('without access codes a number is held by one request at a time', async () => {
    await adminCall('PUT', '/call-in/groups/solo', a.cookies.Administrator, {
      numbers: ['+18005550199'],
      expirySeconds: 60,
    });
    const first = await ivr(a, 'create', { groupName: 'solo' });
    expect(first.body.data).toMatchObject({ toPhoneNumber: '+18005550199' });
    expect(first.body.data.accessCode).toBeUndefined();
    expect((await ivr(a, 'create', { groupName: 'solo' })).body.status.code).toBe(42905);
    const matched = await ivr(a, 'match', { toPhoneNumber: '+1 800 555 0199' });
    expect(matched.body.data).toMatchObject({ id: first.body.data.id });
  });

  it('groups come from the tenant configuration file too, validated before anything is applied', async () => {
    const write = (body: string) => fs.writeFileSync(configFile, body);
    write(`tenants:
  - id: acme
    callInGroups:
      - name: support-line
        numbers: ["+18005550120", "+18005550121"]
        accessCodeEnabled: true
        accessCodeLength: 4
        expirySeconds: 300
`);
    const ok = await t.services.tenantConfig.refresh();
    expect(ok).toEqual({ ok: true, error: null });
    const group = await adminCall('GET', '/call-in/groups/support-line', a.cookies.Administrator);
    expect(group.body.data).toMatchObject({
      source: 'config',
      accessCodeLength: 4,
      expirySeconds: 300,
    });
    const created = await ivr(a, 'create', { groupName: 'support-line' });
    expect(String(created.body.data.accessCode)).toMatch(/^[1-9]\d{3}$/);

    write(`tenants:
  - id: acme
    callInGroups:
      - name: support-line
        numbers: ["+18005550120"]
        accessCodeLength: 12
`);
    const broken = await t.services.tenantConfig.refresh();
    expect(broken.ok).toBe(false);
    expect(broken.error).toMatch(/callInGroups\[0\]\.accessCodeLength/);
    const unchanged = await adminCall(
      'GET',
      '/call-in/groups/support-line',
      a.cookies.Administrator,
    );
    expect(unchanged.body.data).toMatchObject({ numbers: ['+18005550120', '+18005550121'] });

    write(`tenants:
  - id: acme
    callInGroups: []
`);
    expect((await t.services.tenantConfig.refresh()).ok).toBe(true);
    expect(
      (await adminCall('GET', '/call-in/groups/support-line', a.cookies.Administrator)).res
        .statusCode,
    ).toBe(404);
    // Groups made through the admin API are not the file's to remove.
    expect(
      (await adminCall('GET', '/call-in/groups/sales', a.cookies.Administrator)).res.statusCode,
    ).toBe(200);
  });
});
