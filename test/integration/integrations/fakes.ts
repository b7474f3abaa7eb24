/** Every provider fake at once, and the environment that points the app at them. */
import { startFakeApns, type FakeApns } from '../../fakes/fake-apns.js';
import { startFakeCaptcha, type FakeCaptcha } from '../../fakes/fake-captcha.js';
import { startFakeFcm, type FakeFcm } from '../../fakes/fake-fcm.js';
import { startFakeStatistics, type FakeStatistics } from '../../fakes/fake-statistics.js';
import {
  makeApnsKey,
  makeServiceAccount,
  type TestApnsKey,
  type TestServiceAccount,
} from '../../fakes/keys.js';

export const BUNDLE_ID = 'com.example.callbacks';
export const CAPTCHA_SECRET = 'recaptcha-secret-0123456789abcdef';
export const CAPTCHA_SITE_KEY = 'site-key-1';
export const STATS_CLIENT = { id: 'acme-client', secret: 'stats-secret-0123456789abcdef' };
export const APNS_DEVICE = 'ab'.repeat(32);

export interface Fakes {
  fcm: FakeFcm;
  apns: FakeApns;
  captcha: FakeCaptcha;
  statistics: FakeStatistics;
  serviceAccount: TestServiceAccount;
  apnsKey: TestApnsKey;
  /** Environment for startTestApp: every provider endpoint at its fake. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the FCM, APNs, CAPTCHA and statistics fakes with fresh keys. */
export async function startFakes(): Promise<Fakes> {
  const fcmKey = makeServiceAccount('placeholder');
  const fcm = await startFakeFcm({
    projectId: fcmKey.json.project_id,
    clientEmail: fcmKey.json.client_email,
    publicKey: fcmKey.publicKey,
    unregisteredTokens: ['uninstalled-device'],
  });
  const serviceAccount = { ...fcmKey, json: { ...fcmKey.json, token_uri: fcm.tokenUri } };
  const apnsKey = makeApnsKey();
  const apns = await startFakeApns({
    teamId: apnsKey.teamId,
    keyId: apnsKey.keyId,
    publicKey: apnsKey.publicKey,
    bundleId: BUNDLE_ID,
  });
  const captcha = await startFakeCaptcha({ provider: 'recaptcha', secret: CAPTCHA_SECRET });
  const statistics = await startFakeStatistics({
    clientId: STATS_CLIENT.id,
    clientSecret: STATS_CLIENT.secret,
    maxAgeSeconds: 60,
  });
  return {
    fcm,
    apns,
    captcha,
    statistics,
    serviceAccount,
    apnsKey,
    env: {
      FCM_BASE_URL: fcm.url,
      FCM_TOKEN_URL: fcm.tokenUri,
      APNS_HOST: apns.url,
      APNS_SANDBOX_HOST: apns.url,
      RECAPTCHA_VERIFY_URL: captcha.url,
      OUTBOUND_TIMEOUT_MS: '3000',
    },
    close: async () => {
      await Promise.all([fcm.close(), apns.close(), captcha.close(), statistics.close()]);
    },
  };
}

/** The admin API bodies that register each credential against the fakes. */
export function credentialBodies(fakes: Fakes) {
  return {
    statistics: {
      baseUrl: fakes.statistics.url,
      clientId: STATS_CLIENT.id,
      clientSecret: STATS_CLIENT.secret,
    },
    'push-fcm': { serviceAccount: fakes.serviceAccount.json },
    'push-apns': {
      teamId: fakes.apnsKey.teamId,
      keyId: fakes.apnsKey.keyId,
      bundleId: BUNDLE_ID,
      environment: 'sandbox',
      privateKey: fakes.apnsKey.privateKey,
    },
    captcha: { provider: 'recaptcha', siteKey: CAPTCHA_SITE_KEY, secret: CAPTCHA_SECRET },
  };
}

/** The secret strings of each credential: none may ever come back out. */
export function secretsOf(fakes: Fakes): string[] {
  return [
    STATS_CLIENT.secret,
    CAPTCHA_SECRET,
    fakes.apnsKey.privateKey,
    fakes.serviceAccount.json.private_key,
    // A distinctive line of each PEM, in case a key is stored re-encoded or escaped.
    fakes.apnsKey.privateKey.split('\n')[1] ?? '',
    fakes.serviceAccount.json.private_key.split('\n')[1] ?? '',
  ];
}
