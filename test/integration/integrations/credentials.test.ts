import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Keyring, generateMasterKey } from '../../../src/security/secret-box.js';
import { CredentialService } from '../../../src/services/credentials.js';
import { makeApnsKey, makeServiceAccount } from '../../fakes/keys.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { credentialBodies, secretsOf, startFakes, type Fakes } from './fakes.js';
import { withOutbound } from '../../../src/services/credential-kinds.js';

const FEATURES = ['statistics', 'push-fcm', 'push-apns', 'captcha'] as const;

describeEngines('credential management', (engine) => {
  let fakes: Fakes;
  let t: TestApp & { dropDatabase(): Promise<void> };
  let a: TestTenant;
  const masterKey = generateMasterKey();

  beforeAll(async () => {
    fakes = await startFakes();
    t = await startTestApp(engine, { env: { ...fakes.env, MASTER_KEY: masterKey } });
    a = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.services.push.close();
    await t.close();
    await t.dropDatabase();
    await fakes.close();
  });

  const asDeveloper = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.call({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie: a.cookies.Developer },
      ...(payload === undefined ? {} : { payload }),
    });

  it('registers each credential and its test succeeds against the provider', async () => {
    const bodies = credentialBodies(fakes);
    for (const feature of FEATURES) {
      const saved = await asDeveloper('PUT', `/credentials/${feature}`, bodies[feature]);
      expect(saved.res.statusCode, `${feature}: ${saved.res.body}`).toBe(200);
      expect(saved.body.data).toMatchObject({ feature });
      expect((saved.body.data as { fingerprint: string }).fingerprint).toMatch(/^hmac:/);
      const tested = await asDeveloper('POST', `/credentials/${feature}/test`, {});
      expect(tested.body.data, feature).toMatchObject({ ok: true });
    }
    expect(fakes.statistics.tokenRequests.length).toBeGreaterThan(0);
    expect(fakes.fcm.tokenRequests.some((r) => r.refused === undefined)).toBe(true);
    expect(fakes.apns.providerTokens.length).toBeGreaterThan(0);
    expect(fakes.captcha.requests.length).toBeGreaterThan(0);
  });

  it('tries a credential as typed before it is saved, storing nothing', async () => {
    const other = await t.tenant('drafts');
    const asOther = (url: string, payload?: object) =>
      t.call({
        method: payload === undefined ? 'GET' : 'POST',
        url: `/admin/v1${url}`,
        headers: { cookie: other.cookies.Developer },
        ...(payload === undefined ? {} : { payload }),
      });
    const captcha = credentialBodies(fakes).captcha;
    const good = await asOther('/credentials/captcha/test-draft', { credential: captcha });
    expect(good.body.data).toMatchObject({ ok: true });
    const wrong = await asOther('/credentials/captcha/test-draft', {
      credential: { ...captcha, secret: 'not-the-secret' },
    });
    expect(wrong.body.data).toMatchObject({ ok: false });
    const noSecret = await asOther('/credentials/captcha/test-draft', {
      credential: { ...captcha, secret: undefined },
    });
    expect(noSecret.body.status.code).toBe(40002);
    // Nothing was registered by trying.
    expect((await asOther('/credentials/captcha')).res.statusCode).toBe(404);
  });

  it('a push test with a device token delivers a test notification', async () => {
    const tested = await asDeveloper('POST', '/credentials/push-fcm/test', {
      deviceToken: 'device-token-1',
    });
    expect(tested.body.data).toMatchObject({ ok: true });
    expect((tested.body.data as { message: string }).message).toMatch(/Test notification sent/);
    expect(fakes.fcm.sends.at(-1)).toMatchObject({ deviceToken: 'device-token-1' });
  });

  it('a wrong secret fails its test with a clear message', async () => {
    const wrongFcm = makeServiceAccount('unused', fakes.serviceAccount.json.project_id);
    const wrongApns = makeApnsKey();
    const wrong = {
      statistics: { ...credentialBodies(fakes).statistics, clientSecret: 'not-the-secret' },
      'push-fcm': {
        serviceAccount: { ...wrongFcm.json, client_email: fakes.serviceAccount.json.client_email },
      },
      'push-apns': { ...credentialBodies(fakes)['push-apns'], privateKey: wrongApns.privateKey },
      captcha: { ...credentialBodies(fakes).captcha, secret: 'not-the-secret' },
    };
    const expected = {
      statistics: /refused the client id or secret/,
      'push-fcm': /Google refused the service account: Invalid JWT Signature/,
      'push-apns': /InvalidProviderToken \(check the Team ID, Key ID and \.p8 key\)/,
      captcha: /recaptcha rejected the secret key/,
    };
    for (const feature of FEATURES) {
      const saved = await asDeveloper('PUT', `/credentials/${feature}`, wrong[feature]);
      expect(saved.res.statusCode, `${feature}: ${saved.res.body}`).toBe(200);
      const tested = await asDeveloper('POST', `/credentials/${feature}/test`, {});
      expect(tested.body.data, feature).toMatchObject({ ok: false });
      expect((tested.body.data as { message: string }).message).toMatch(expected[feature]);
    }
    // Back to the good ones for the tests below.
    const bodies = credentialBodies(fakes);
    for (const feature of FEATURES)
      await asDeveloper('PUT', `/credentials/${feature}`, bodies[feature]);
  });

  it('updating without the secret keeps the stored one', async () => {
    const before = await asDeveloper('GET', '/credentials/statistics');
    const { baseUrl, clientId } = credentialBodies(fakes).statistics;
    const withoutSecret = { baseUrl, clientId };
    const updated = await asDeveloper('PUT', '/credentials/statistics', withoutSecret);
    expect(updated.body.data).toMatchObject({
      fingerprint: (before.body.data as { fingerprint: string }).fingerprint,
    });
    const tested = await asDeveloper('POST', '/credentials/statistics/test', {});
    expect(tested.body.data).toMatchObject({ ok: true });
  });

  it('refuses bad bodies with the field named, and never logs the secret of a refused body', async () => {
    const bad = await asDeveloper('PUT', '/credentials/push-apns', {
      ...credentialBodies(fakes)['push-apns'],
      teamId: 'short',
    });
    expect(bad.res.statusCode).toBe(400);
    expect(bad.body.status.message).toMatch(/teamId/);
    const unusable = await asDeveloper('PUT', '/credentials/push-fcm', {
      serviceAccount: { ...fakes.serviceAccount.json, client_email: '' },
    });
    expect(unusable.res.statusCode).toBe(400);
    expect(unusable.body.status.message).toMatch(/serviceAccount is unusable: .*client_email/);
    const missing = await asDeveloper('PUT', '/credentials/nosuch', {});
    expect(missing.res.statusCode).toBe(404);
    const errors = await t.services.store.db.kysely
      .selectFrom('error_log')
      .select('request')
      .execute();
    const logged = JSON.stringify(errors);
    for (const secret of secretsOf(fakes)) expect(logged).not.toContain(secret);
  });

  it('secrets never appear in GET responses, the audit log or the database in plaintext', async () => {
    const list = await asDeveloper('GET', '/credentials');
    const items = (list.body.data as { items: { feature: string }[] }).items;
    expect(items.map((i) => i.feature).sort()).toEqual([...FEATURES].sort());
    const reads = [list.res.body];
    for (const feature of FEATURES)
      reads.push((await asDeveloper('GET', `/credentials/${feature}`)).res.body);
    const audit = await t.call({
      method: 'GET',
      url: '/admin/v1/audit?limit=200',
      headers: { cookie: a.cookies.Administrator },
    });
    const auditText = audit.res.body;
    expect(auditText).toContain('credential.register');
    expect(auditText).toContain('credential.update');
    const rows = await t.services.store.db.kysely.selectFrom('credentials').selectAll().execute();
    expect(rows).toHaveLength(4);
    const raw = JSON.stringify(rows);
    for (const secret of secretsOf(fakes)) {
      for (const text of [...reads, auditText, raw]) expect(text).not.toContain(secret);
    }
    expect(rows.every((r) => r.secret.startsWith('ocsb1.'))).toBe(true);
  });

  it('a sealed secret does not open for another tenant or feature', async () => {
    const row = await t.services.store.credentials.get('acme', 'captcha');
    expect(row).toBeDefined();
    await sql`update credentials set secret = ${row?.secret ?? ''} where tenant_id = 'acme' and feature = 'statistics'`.execute(
      t.services.store.db.kysely,
    );
    const tested = await asDeveloper('POST', '/credentials/statistics/test', {});
    expect(tested.res.statusCode).toBe(500);
    await asDeveloper('PUT', '/credentials/statistics', credentialBodies(fakes).statistics);
  });

  it('fingerprints are keyed per tenant; unkeyed ones of earlier versions are recomputed', async () => {
    const body = credentialBodies(fakes).captcha;
    const beta = await t.tenant('beta');
    const register = (tenant: TestTenant) =>
      t.call<{ fingerprint: string }>({
        method: 'PUT',
        url: '/admin/v1/credentials/captcha',
        headers: { cookie: tenant.cookies.Developer },
        payload: body,
      });
    const ours = (await register(a)).body.data.fingerprint;
    const theirs = (await register(beta)).body.data.fingerprint;
    expect(ours).toMatch(/^hmac:[0-9a-f]{16}$/);
    // The same secret in two tenants: nothing in the store or the console tells it is shared.
    expect(theirs).not.toBe(ours);
    // A fingerprint as earlier versions made it (unkeyed SHA-256) is replaced by the upkeep job.
    await t.services.store.db.kysely
      .updateTable('credentials')
      .set({ fingerprint: 'sha256:0123456789abcdef' })
      .where('tenant_id', '=', a.id)
      .where('feature', '=', 'captcha')
      .execute();
    expect(await t.services.credentials.rewrapAll()).toBe(1);
    const shown = await asDeveloper('GET', '/credentials/captcha');
    expect((shown.body.data as { fingerprint: string }).fingerprint).toBe(ours);
    await t.call({
      method: 'DELETE',
      url: '/admin/v1/credentials/captcha',
      headers: { cookie: beta.cookies.Developer },
    });
  });

  it('master-key rotation re-wraps every secret and keeps it usable', async () => {
    const newKey = generateMasterKey();
    const rotated = new CredentialService(
      t.services.store,
      t.clock,
      t.services.audit,
      new Keyring(newKey, [masterKey]),
      withOutbound(t.config.integrations),
    );
    const before = await t.services.store.db.kysely.selectFrom('credentials').selectAll().execute();
    expect(await rotated.rewrapAll()).toBe(4);
    expect(await rotated.rewrapAll()).toBe(0);
    const after = await t.services.store.db.kysely.selectFrom('credentials').selectAll().execute();
    expect(after.map((r) => r.key_id)).toEqual(after.map(() => new Keyring(newKey).currentKeyId));
    // Fingerprints are keyed with the master key: recomputed once, as a save would now make them.
    const keyring = new Keyring(newKey);
    for (const row of after) {
      const secret = keyring.open(row.secret, { tenantId: row.tenant_id, feature: row.feature });
      expect(row.fingerprint).toBe(keyring.fingerprint(secret, row.tenant_id));
      expect(row.fingerprint).not.toBe(before.find((b) => b.feature === row.feature)?.fingerprint);
    }
    expect(await rotated.test('acme', 'captcha')).toMatchObject({ ok: true });
    // The old key alone no longer opens them.
    const stale = new CredentialService(
      t.services.store,
      t.clock,
      t.services.audit,
      new Keyring(masterKey),
      withOutbound(t.config.integrations),
    );
    await expect(stale.test('acme', 'captcha')).rejects.toThrow(/not configured/);
  });

  it('only Administrators and Developers manage credentials', async () => {
    for (const role of ['Supervisor', 'Monitor'] as const) {
      const res = await t.call({
        method: 'GET',
        url: '/admin/v1/credentials',
        headers: { cookie: a.cookies[role] },
      });
      expect(res.res.statusCode).toBe(403);
    }
    const admin = await t.call({
      method: 'GET',
      url: '/admin/v1/credentials',
      headers: { cookie: a.cookies.Administrator },
    });
    expect(admin.res.statusCode).toBe(200);
  });

  it('removing a credential is audited and its test then answers 40403', async () => {
    const removed = await asDeveloper('DELETE', '/credentials/push-apns');
    expect(removed.res.statusCode).toBe(200);
    const tested = await asDeveloper('POST', '/credentials/push-apns/test', {});
    expect(tested.body.status.code).toBe(40403);
    expect(tested.body.status.message).toMatch(/No push-apns credential/);
    const audit = await t.services.audit.list('acme', 50);
    expect(audit[0]).toMatchObject({ action: 'credential.remove', target: 'push-apns' });
  });
});
