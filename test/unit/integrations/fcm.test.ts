import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testFcmCredential } from '../../../src/integrations/credential-tests.js';
import { FcmClient, parseFcmServiceAccount } from '../../../src/integrations/push/fcm.js';
import { startFakeFcm, type FakeFcm } from '../../fakes/fake-fcm.js';
import { makeServiceAccount, type TestServiceAccount } from '../../fakes/keys.js';
import { testHttp } from '../../fakes/outbound.js';

const message = {
  title: 'Your callback',
  body: 'An agent will call you in 5 minutes',
  data: { id: 'cb_1' },
};

describe('FCM HTTP v1 client', () => {
  let account: TestServiceAccount;
  let fcm: FakeFcm;

  beforeEach(async () => {
    // The key pair is made first; the fake learns the public half, the account its token_uri.
    account = makeServiceAccount('placeholder');
    fcm = await startFakeFcm({
      projectId: account.json.project_id,
      clientEmail: account.json.client_email,
      publicKey: account.publicKey,
      unregisteredTokens: ['uninstalled-device'],
    });
    account.json.token_uri = fcm.tokenUri;
  });
  afterEach(async () => {
    await fcm.close();
  });

  const client = (now?: () => number): FcmClient =>
    new FcmClient({
      serviceAccount: account.json,
      baseUrl: fcm.url,
      http: testHttp,
      ...(now ? { now } : {}),
    });

  it('sends a notification with a token obtained from a signed JWT', async () => {
    const result = await client().send('device-1', message);
    expect(result).toEqual({
      ok: true,
      messageId: `projects/${account.json.project_id}/messages/1`,
    });
    expect(fcm.tokenRequests).toHaveLength(1);
    expect(fcm.tokenRequests[0]?.refused).toBeUndefined();
    expect(fcm.sends).toEqual([
      expect.objectContaining({
        deviceToken: 'device-1',
        notification: { title: message.title, body: message.body },
        data: { id: 'cb_1' },
      }),
    ]);
  });

  it('reuses the cached access token instead of asking for a new one per send', async () => {
    const fcmClient = client();
    await fcmClient.send('device-1', message);
    await fcmClient.send('device-2', message);
    await Promise.all([fcmClient.send('device-3', message), fcmClient.send('device-4', message)]);
    expect(fcm.sends).toHaveLength(4);
    expect(fcm.tokenRequests).toHaveLength(1);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    let now = Date.now();
    const fcmClient = client(() => now);
    await fcmClient.send('device-1', message);
    now += 58 * 60_000;
    await fcmClient.send('device-2', message);
    expect(fcm.tokenRequests).toHaveLength(1);
    now += 2 * 60_000; // within the last minute of the hour-long token
    await fcmClient.send('device-3', message);
    expect(fcm.tokenRequests).toHaveLength(2);
  });

  it('gets a fresh token once when FCM rejects a cached one', async () => {
    const fcmClient = client();
    await fcmClient.send('device-1', message);
    fcm.revokeAccessTokens();
    const result = await fcmClient.send('device-2', message);
    expect(result.ok).toBe(true);
    expect(fcm.tokenRequests).toHaveLength(2);
  });

  it('reports an uninstalled app as an invalid token that must not be retried', async () => {
    const result = await client().send('uninstalled-device', message);
    expect(result).toMatchObject({
      ok: false,
      kind: 'invalid-token',
      reason: 'UNREGISTERED',
      retryable: false,
      status: 404,
    });
  });

  it('reports throttling and outages as retryable, with the retry-after delay', async () => {
    fcm.failNextSends(
      {
        status: 429,
        errorStatus: 'RESOURCE_EXHAUSTED',
        errorCode: 'QUOTA_EXCEEDED',
        retryAfter: '30',
      },
      { status: 503, errorStatus: 'UNAVAILABLE', errorCode: 'UNAVAILABLE' },
    );
    const fcmClient = client();
    expect(await fcmClient.send('device-1', message)).toMatchObject({
      ok: false,
      kind: 'unavailable',
      reason: 'QUOTA_EXCEEDED',
      retryable: true,
      retryAfterSeconds: 30,
    });
    expect(await fcmClient.send('device-1', message)).toMatchObject({
      ok: false,
      retryable: true,
      status: 503,
    });
  });

  it('reports an unreachable FCM as retryable rather than throwing', async () => {
    await fcm.close();
    const result = await client().send('device-1', message);
    expect(result).toMatchObject({ ok: false, kind: 'unavailable', retryable: true });
  });

  it('refuses a service account whose key does not match, with a clear non-retryable error', async () => {
    const impostor = makeServiceAccount(fcm.tokenUri, account.json.project_id);
    const result = await new FcmClient({
      serviceAccount: impostor.json,
      baseUrl: fcm.url,
      http: testHttp,
    }).send('device-1', message);
    expect(result).toMatchObject({
      ok: false,
      kind: 'auth',
      retryable: false,
      reason: 'invalid_grant',
    });
    expect(result.ok ? '' : result.message).toMatch(/Invalid JWT Signature/);
    expect(fcm.sends).toHaveLength(0);
  });

  it('validates a service account file before any network call', () => {
    expect(() => parseFcmServiceAccount('{not json')).toThrow(/not valid JSON/);
    expect(() => parseFcmServiceAccount({ project_id: 'p' })).toThrow(
      /missing client_email, private_key/,
    );
    expect(() =>
      parseFcmServiceAccount({ ...account.json, private_key: '-----BEGIN PRIVATE KEY-----\nxx' }),
    ).toThrow(/not a valid PEM private key/);
    expect(parseFcmServiceAccount(JSON.stringify(account.json)).project_id).toBe(
      account.json.project_id,
    );
  });

  describe('credential test button', () => {
    it('says the service account works', async () => {
      const result = await testFcmCredential(account.json, { baseUrl: fcm.url, http: testHttp });
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(/Service account accepted/);
    });

    it('sends a test notification when given a device token', async () => {
      const result = await testFcmCredential(JSON.stringify(account.json), {
        baseUrl: fcm.url,
        http: testHttp,
        deviceToken: 'device-9',
      });
      expect(result).toMatchObject({ ok: true });
      expect(fcm.sends[0]?.deviceToken).toBe('device-9');
    });

    it('explains a wrong key and a malformed file', async () => {
      const impostor = makeServiceAccount(fcm.tokenUri, account.json.project_id);
      const wrongKey = await testFcmCredential(impostor.json, { baseUrl: fcm.url, http: testHttp });
      expect(wrongKey.ok).toBe(false);
      expect(wrongKey.message).toMatch(/Google refused the service account/);
      const broken = await testFcmCredential('{}', { http: testHttp });
      expect(broken).toEqual({
        ok: false,
        message: 'The service account is missing project_id, client_email, private_key',
      });
    });

    it('explains an unknown device token', async () => {
      const result = await testFcmCredential(account.json, {
        baseUrl: fcm.url,
        http: testHttp,
        deviceToken: 'uninstalled-device',
      });
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/device token was refused \(UNREGISTERED\)/);
    });
  });
});
