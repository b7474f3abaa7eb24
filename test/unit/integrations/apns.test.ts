import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApnsCredential } from '../../../src/integrations/credential-tests.js';
import {
  ApnsClient,
  apnsHost,
  type ApnsClientOptions,
} from '../../../src/integrations/push/apns.js';
import { startFakeApns, type FakeApns } from '../../fakes/fake-apns.js';
import { makeApnsKey, type TestApnsKey } from '../../fakes/keys.js';
import { testHttp } from '../../fakes/outbound.js';

const BUNDLE = 'com.example.callbacks';
const DEVICE = 'a'.repeat(64);
const GONE = 'b'.repeat(64);
const message = {
  title: 'Your callback',
  body: 'We will call you soon',
  data: { callbackId: 'cb_1' },
};

describe('APNs provider API client', () => {
  let key: TestApnsKey;
  let apns: FakeApns;
  const clients: ApnsClient[] = [];

  beforeEach(async () => {
    key = makeApnsKey();
    apns = await startFakeApns({
      teamId: key.teamId,
      keyId: key.keyId,
      publicKey: key.publicKey,
      bundleId: BUNDLE,
      knownDevices: [DEVICE],
      unregisteredDevices: [GONE],
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await apns.close();
  });

  const options = (
    overrides: Partial<ApnsClientOptions['credential']> = {},
  ): ApnsClientOptions => ({
    credential: {
      teamId: key.teamId,
      keyId: key.keyId,
      privateKey: key.privateKey,
      bundleId: BUNDLE,
      ...overrides,
    },
    host: apns.url,
    http: testHttp,
  });
  const client = (
    overrides: Partial<ApnsClientOptions['credential']> = {},
    now?: () => number,
  ): ApnsClient => {
    const created = new ApnsClient({ ...options(overrides), ...(now ? { now } : {}) });
    clients.push(created);
    return created;
  };

  it('delivers an alert over HTTP/2 with a verified ES256 provider token', async () => {
    const result = await client().send(DEVICE, message);
    expect(result.ok).toBe(true);
    expect(apns.deliveries).toHaveLength(1);
    const delivery = apns.deliveries[0];
    expect(delivery?.headers['apns-topic']).toBe(BUNDLE);
    expect(delivery?.headers['apns-push-type']).toBe('alert');
    expect(delivery?.headers['apns-priority']).toBe('10');
    expect(delivery?.payload).toEqual({
      aps: { alert: { title: message.title, body: message.body } },
      callbackId: 'cb_1',
    });
  });

  it('reuses the provider token for about 50 minutes, then signs a new one', async () => {
    let now = Date.now();
    const apnsClient = client({}, () => now);
    await apnsClient.send(DEVICE, message);
    now += 49 * 60_000;
    await apnsClient.send(DEVICE, message);
    expect(new Set(apns.providerTokens).size).toBe(1);
    now += 2 * 60_000;
    // The fake checks iat against its real clock, so the "future" token is still accepted.
    await apnsClient.send(DEVICE, message);
    expect(new Set(apns.providerTokens).size).toBe(2);
  });

  it('treats BadDeviceToken and Unregistered as invalid tokens that must not be retried', async () => {
    const apnsClient = client();
    expect(await apnsClient.send('c'.repeat(64), message)).toMatchObject({
      ok: false,
      kind: 'invalid-token',
      reason: 'BadDeviceToken',
      retryable: false,
    });
    expect(await apnsClient.send(GONE, message)).toMatchObject({
      ok: false,
      kind: 'invalid-token',
      reason: 'Unregistered',
      status: 410,
      retryable: false,
    });
    // A token that is not hex never leaves the process.
    expect(await apnsClient.send('../../etc', message)).toMatchObject({ kind: 'invalid-token' });
  });

  it('treats TooManyRequests and server errors as retryable', async () => {
    apns.failNext(
      { status: 429, reason: 'TooManyRequests', retryAfter: '120' },
      { status: 503, reason: 'ServiceUnavailable' },
    );
    const apnsClient = client();
    expect(await apnsClient.send(DEVICE, message)).toMatchObject({
      ok: false,
      kind: 'unavailable',
      reason: 'TooManyRequests',
      retryable: true,
      retryAfterSeconds: 120,
    });
    expect(await apnsClient.send(DEVICE, message)).toMatchObject({
      ok: false,
      reason: 'ServiceUnavailable',
      retryable: true,
    });
    expect((await apnsClient.send(DEVICE, message)).ok).toBe(true);
  });

  it('signs a new provider token once when APNs says it expired', async () => {
    apns.failNext({ status: 403, reason: 'ExpiredProviderToken' });
    const result = await client().send(DEVICE, message);
    expect(result.ok).toBe(true);
    expect(new Set(apns.providerTokens).size).toBe(2);
  });

  it('refuses a wrong key or bundle id as an auth failure', async () => {
    const other = makeApnsKey();
    expect(await client({ privateKey: other.privateKey }).send(DEVICE, message)).toMatchObject({
      ok: false,
      kind: 'auth',
      reason: 'InvalidProviderToken',
      retryable: false,
    });
    expect(await client({ bundleId: 'com.other.app' }).send(DEVICE, message)).toMatchObject({
      ok: false,
      kind: 'auth',
      reason: 'TopicDisallowed',
    });
  });

  it('reconnects after the connection drops and reports an unreachable host as retryable', async () => {
    const apnsClient = client();
    expect((await apnsClient.send(DEVICE, message)).ok).toBe(true);
    await apns.dropConnections();
    expect((await apnsClient.send(DEVICE, message)).ok).toBe(true);
    expect(apns.deliveries).toHaveLength(2);
    await apns.close();
    const down = await apnsClient.send(DEVICE, message);
    expect(down).toMatchObject({ ok: false, kind: 'unavailable', retryable: true });
  });

  it('gives up after the timeout and reports it as retryable', async () => {
    apns.setDelayMs(500);
    const slow = new ApnsClient({ ...options(), timeoutMs: 100 });
    clients.push(slow);
    expect(await slow.send(DEVICE, message)).toMatchObject({
      ok: false,
      kind: 'unavailable',
      reason: 'timeout',
      retryable: true,
    });
  });

  it('rejects a key that is not an EC P-256 key before connecting', () => {
    expect(() => client({ privateKey: 'nonsense' })).toThrow(/not a valid PEM private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const rsaPem = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => client({ privateKey: rsaPem })).toThrow(/must be an EC P-256 private key/);
  });

  it('picks production by default and sandbox on request', () => {
    expect(apnsHost({})).toBe('https://api.push.apple.com');
    expect(apnsHost({ environment: 'sandbox' })).toBe('https://api.sandbox.push.apple.com');
    expect(apnsHost({ environment: 'sandbox', host: 'http://127.0.0.1:1' })).toBe(
      'http://127.0.0.1:1',
    );
  });

  describe('credential test button', () => {
    it('confirms key and bundle id without a real device', async () => {
      const result = await testApnsCredential(options());
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(/accepted the signing key and bundle id/);
    });

    it('sends a test notification to a given device', async () => {
      const result = await testApnsCredential({ ...options(), deviceToken: DEVICE });
      expect(result).toEqual({ ok: true, message: 'Test notification sent' });
      expect(apns.deliveries).toHaveLength(1);
    });

    it('explains a wrong key and a wrong bundle id', async () => {
      const wrongKey = await testApnsCredential(options({ privateKey: makeApnsKey().privateKey }));
      expect(wrongKey.ok).toBe(false);
      expect(wrongKey.message).toMatch(
        /InvalidProviderToken.*check the Team ID, Key ID and \.p8 key/,
      );
      const wrongBundle = await testApnsCredential(options({ bundleId: 'com.other.app' }));
      expect(wrongBundle.message).toMatch(/check the bundle id/);
      const rsa = await testApnsCredential(options({ privateKey: 'not a key' }));
      expect(rsa).toEqual({ ok: false, message: 'privateKey is not a valid PEM private key' });
    });
  });
});
