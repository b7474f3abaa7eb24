/**
 * What the console's "Test" button runs for each credential kind: one real exchange with the
 * provider, answered as a plain sentence an administrator can act on. Never throws.
 */
import { createCaptchaVerifier, type CaptchaConfig } from './captcha.js';
import { ApnsClient, type ApnsClientOptions } from './push/apns.js';
import { FcmClient, parseFcmServiceAccount } from './push/fcm.js';
import type { OutboundHttp } from './http-client.js';
import type { PushResult } from './push/types.js';
import { StatisticsClient, type StatisticsConfig } from './statistics.js';

export interface CredentialTestResult {
  readonly ok: boolean;
  readonly message: string;
}

// Providers answer a well-formed but unknown token with a "bad token" error only after they
// accepted our credential, so a refused probe token proves the credential without a real device.
const APNS_PROBE_DEVICE_TOKEN = '0'.repeat(64);
const CAPTCHA_PROBE_TOKEN = 'opencallback-credential-test';
const TEST_NOTIFICATION = {
  title: 'OpenCallback test',
  body: 'Push notifications are set up correctly.',
  data: { type: 'CREDENTIAL_TEST' },
};

export interface FcmTestOptions {
  /** When given, a test notification is sent to this device. */
  readonly deviceToken?: string;
  readonly baseUrl?: string;
  readonly tokenUri?: string;
  readonly timeoutMs?: number;
  readonly http: OutboundHttp;
}

/** Exchange the service account for a token and, given a device token, send a test push. */
export async function testFcmCredential(
  serviceAccount: unknown,
  options: FcmTestOptions,
): Promise<CredentialTestResult> {
  let client: FcmClient;
  let projectId: string;
  try {
    const account = parseFcmServiceAccount(serviceAccount);
    projectId = account.project_id;
    client = new FcmClient({
      serviceAccount: account,
      baseUrl: options.baseUrl,
      tokenUri: options.tokenUri,
      timeoutMs: options.timeoutMs,
      http: options.http,
    });
  } catch (error) {
    return { ok: false, message: errorText(error) };
  }
  const token = await client.accessToken();
  if (!token.ok) return { ok: false, message: pushFailureText(token.result) };
  if (options.deviceToken === undefined) {
    return {
      ok: true,
      message: `Service account accepted: FCM access token obtained for project "${projectId}"`,
    };
  }
  const sent = await client.send(options.deviceToken, TEST_NOTIFICATION);
  return sent.ok
    ? { ok: true, message: `Test notification sent (${sent.messageId})` }
    : { ok: false, message: pushFailureText(sent) };
}

/** Sign a provider token and send a test push (or a probe that only checks the key and topic). */
export async function testApnsCredential(
  options: ApnsClientOptions & { readonly deviceToken?: string },
): Promise<CredentialTestResult> {
  let client: ApnsClient;
  try {
    client = new ApnsClient(options);
  } catch (error) {
    return { ok: false, message: errorText(error) };
  }
  try {
    const deviceToken = options.deviceToken ?? APNS_PROBE_DEVICE_TOKEN;
    const result = await client.send(deviceToken, TEST_NOTIFICATION);
    if (result.ok) return { ok: true, message: 'Test notification sent' };
    if (options.deviceToken === undefined && result.kind === 'invalid-token') {
      return {
        ok: true,
        message:
          'APNs accepted the signing key and bundle id (the placeholder device was refused, as expected)',
      };
    }
    return { ok: false, message: pushFailureText(result) };
  } finally {
    await client.close();
  }
}

/** Verify a placeholder token: "bad response" means the secret was accepted, "bad secret" not. */
export async function testCaptchaCredential(config: CaptchaConfig): Promise<CredentialTestResult> {
  const result = await createCaptchaVerifier(config).verify(CAPTCHA_PROBE_TOKEN);
  const codes = result.errorCodes;
  if (codes.includes('invalid-input-secret') || codes.includes('missing-input-secret')) {
    return { ok: false, message: `${config.provider} rejected the secret key` };
  }
  if (codes.includes('sitekey-secret-mismatch') || codes.includes('invalid-sitekey')) {
    return {
      ok: false,
      message: `${config.provider}: the site key does not belong to this secret`,
    };
  }
  if (codes.includes('verify-unreachable')) {
    return { ok: false, message: `Could not reach the ${config.provider} verification service` };
  }
  if (codes.includes('invalid-input-response') || result.success) {
    return { ok: true, message: `${config.provider} accepted the secret key` };
  }
  return {
    ok: false,
    message: `${config.provider} verification failed: ${codes.join(', ') || 'no reason given'}`,
  };
}

/** Obtain an OAuth2 token with the client id and secret. */
export async function testStatisticsCredential(
  config: StatisticsConfig,
): Promise<CredentialTestResult> {
  const token = await new StatisticsClient(config).accessToken();
  return token.ok
    ? { ok: true, message: 'The statistics source accepted the client id and secret' }
    : { ok: false, message: token.error.message };
}

/** One sentence for a failed push, with a hint at what to fix. */
export function pushFailureText(result: PushResult): string {
  if (result.ok) return 'Sent';
  switch (result.kind) {
    case 'invalid-token':
      return `The device token was refused (${result.reason}): the app may be uninstalled or the token mistyped`;
    case 'auth':
      return `${result.message} (${authHint(result.reason)})`;
    case 'rejected':
      return `The provider rejected the notification: ${result.message}`;
    case 'unavailable':
      return `The provider could not be reached or is busy, try again later: ${result.message}`;
  }
}

function authHint(reason: string): string {
  switch (reason) {
    case 'InvalidProviderToken':
    case 'MissingProviderToken':
    case 'ExpiredProviderToken':
      return 'check the Team ID, Key ID and .p8 key';
    case 'BadTopic':
    case 'MissingTopic':
    case 'TopicDisallowed':
      return 'check the bundle id';
    case 'BadCertificateEnvironment':
      return 'check sandbox versus production';
    default:
      return 'check the credential';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
