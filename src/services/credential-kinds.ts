/**
 * The four kinds of integration credential: which fields each takes, which one is the secret,
 * and how a stored credential becomes a configured protocol client.
 */
import type { IntegrationsConfig } from '../config.js';
import { parseAllowList } from '../integrations/address-guard.js';
import { AppError } from '../domain/errors.js';
import type { CaptchaConfig, CaptchaProvider } from '../integrations/captcha.js';
import {
  testApnsCredential,
  testCaptchaCredential,
  testFcmCredential,
  testStatisticsCredential,
  type CredentialTestResult,
} from '../integrations/credential-tests.js';
import { OutboundHttp } from '../integrations/http-client.js';
import { assertKeyFits, loadPrivateKey } from '../integrations/jwt.js';
import {
  APNS_HOSTS,
  type ApnsClientOptions,
  type ApnsEnvironment,
} from '../integrations/push/apns.js';
import {
  FCM_DEFAULT_BASE_URL,
  GOOGLE_DEFAULT_TOKEN_URI,
  parseFcmServiceAccount,
  type FcmClientOptions,
} from '../integrations/push/fcm.js';
import type { StatisticsConfig } from '../integrations/statistics.js';

/** The operator's endpoints and limits, with the one guarded client every call goes through. */
export type Endpoints = IntegrationsConfig & { readonly http: OutboundHttp };

/** Builds the guarded outbound client from the configuration (one per process). */
export function withOutbound(config: IntegrationsConfig): Endpoints {
  const http = new OutboundHttp({
    allow: parseAllowList(config.outboundAllow),
    maxResponseBytes: config.outboundMaxResponseBytes,
  });
  return { ...config, http };
}

export const CREDENTIAL_FEATURES = ['statistics', 'push-fcm', 'push-apns', 'captcha'] as const;
export type CredentialFeature = (typeof CREDENTIAL_FEATURES)[number];

export interface StatisticsSettings {
  baseUrl: string;
  clientId: string;
  tokenPath?: string;
  statisticsPath?: string;
}
export interface FcmSettings {
  projectId: string;
  clientEmail: string;
  privateKeyId?: string;
}
export interface ApnsSettings {
  teamId: string;
  keyId: string;
  bundleId: string;
  environment: ApnsEnvironment;
}
export interface CaptchaSettings {
  provider: CaptchaProvider;
  siteKey?: string;
  minScore?: number;
  expectedAction?: string;
}

/** The non-secret fields of each kind (what reads show). */
export interface SettingsOf {
  statistics: StatisticsSettings;
  'push-fcm': FcmSettings;
  'push-apns': ApnsSettings;
  captcha: CaptchaSettings;
}

/** A stored credential opened for use: its fields and its secret. */
export interface OpenCredential<F extends CredentialFeature> {
  feature: F;
  settings: SettingsOf[F];
  secret: string;
}

/** Which body field carries each kind's secret (write-only). */
export const SECRET_FIELD: Record<CredentialFeature, string> = {
  statistics: 'clientSecret',
  'push-fcm': 'serviceAccount',
  'push-apns': 'privateKey',
  captcha: 'secret',
};

const FIELDS: Record<CredentialFeature, readonly string[]> = {
  statistics: ['baseUrl', 'clientId', 'clientSecret', 'tokenPath', 'statisticsPath'],
  'push-fcm': ['serviceAccount'],
  'push-apns': ['teamId', 'keyId', 'bundleId', 'environment', 'privateKey'],
  captcha: ['provider', 'siteKey', 'secret', 'minScore', 'expectedAction'],
};

const CAPTCHA_PROVIDERS: readonly CaptchaProvider[] = ['recaptcha', 'hcaptcha', 'turnstile'];
const APPLE_ID = /^[A-Z0-9]{10}$/;

/** Checks a feature name from a URL. */
export function checkFeature(raw: string): CredentialFeature {
  const found = CREDENTIAL_FEATURES.find((f) => f === raw);
  if (found === undefined) {
    throw new AppError(
      'NOT_FOUND',
      `Unknown credential "${raw}": use one of ${CREDENTIAL_FEATURES.join(', ')}`,
    );
  }
  return found;
}

function invalid(field: string, message: string): never {
  throw new AppError('INVALID_PARAMETER', `${field} ${message}`);
}

function text(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) {
    invalid(field, `must be text of at most ${max} characters`);
  }
  return value.trim();
}

function required(body: Record<string, unknown>, field: string, max: number): string {
  const value = text(body, field, max);
  if (value === undefined) throw new AppError('MISSING_PARAMETER', `${field} is required`);
  return value;
}

function httpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(field, 'must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    invalid(field, 'must be an http:// or https:// URL');
  }
  return value.replace(/\/+$/, '');
}

function path(value: string | undefined, field: string): string | undefined {
  if (value !== undefined && !value.startsWith('/')) invalid(field, 'must start with "/"');
  return value;
}

const omitUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/**
 * Validates a register/update body. The secret may be left out when one is already stored (an
 * update of the other fields keeps it); `secret` is then undefined.
 */
export function parseCredentialBody<F extends CredentialFeature>(
  feature: F,
  body: Record<string, unknown>,
  hasStoredSecret: boolean,
): { settings: SettingsOf[F]; secret: string | undefined } {
  for (const key of Object.keys(body)) {
    if (!FIELDS[feature].includes(key)) {
      invalid(key, `is not a field of the ${feature} credential (${FIELDS[feature].join(', ')})`);
    }
  }
  const secretField = SECRET_FIELD[feature];
  const rawSecret = body[secretField];
  if ((rawSecret === undefined || rawSecret === '') && !hasStoredSecret) {
    throw new AppError('MISSING_PARAMETER', `${secretField} is required`);
  }
  const parsed = parseKind(feature, body);
  return parsed as { settings: SettingsOf[F]; secret: string | undefined };
}

function parseKind(
  feature: CredentialFeature,
  body: Record<string, unknown>,
): { settings: SettingsOf[CredentialFeature]; secret: string | undefined } {
  switch (feature) {
    case 'statistics':
      return {
        settings: omitUndefined({
          baseUrl: httpUrl(required(body, 'baseUrl', 2048), 'baseUrl'),
          clientId: required(body, 'clientId', 256),
          tokenPath: path(text(body, 'tokenPath', 512), 'tokenPath'),
          statisticsPath: path(text(body, 'statisticsPath', 512), 'statisticsPath'),
        }),
        secret: text(body, 'clientSecret', 4096),
      };
    case 'push-fcm': {
      const raw = body.serviceAccount;
      if (raw === undefined || raw === '') {
        throw new AppError('MISSING_PARAMETER', 'serviceAccount is required');
      }
      let account;
      try {
        account = parseFcmServiceAccount(raw);
      } catch (e) {
        invalid('serviceAccount', `is unusable: ${e instanceof Error ? e.message : String(e)}`);
      }
      // token_uri is dropped: where tokens are fetched is the operator's choice (FCM_TOKEN_URL).
      const secret = JSON.stringify({
        project_id: account.project_id,
        client_email: account.client_email,
        private_key: account.private_key,
        private_key_id: account.private_key_id,
      });
      return {
        settings: omitUndefined({
          projectId: account.project_id,
          clientEmail: account.client_email,
          privateKeyId: account.private_key_id,
        }),
        secret,
      };
    }
    case 'push-apns': {
      const teamId = required(body, 'teamId', 10);
      const keyId = required(body, 'keyId', 10);
      if (!APPLE_ID.test(teamId)) invalid('teamId', 'must be the 10-character Apple Team ID');
      if (!APPLE_ID.test(keyId)) invalid('keyId', 'must be the 10-character Key ID of the .p8 key');
      const environment = text(body, 'environment', 16) ?? 'production';
      if (environment !== 'production' && environment !== 'sandbox') {
        invalid('environment', 'must be "production" or "sandbox"');
      }
      const privateKey = text(body, 'privateKey', 8192);
      if (privateKey !== undefined) {
        try {
          assertKeyFits(loadPrivateKey(privateKey, 'privateKey'), 'ES256', 'privateKey');
        } catch (e) {
          invalid('privateKey', `is unusable: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return {
        settings: { teamId, keyId, bundleId: required(body, 'bundleId', 255), environment },
        secret: privateKey,
      };
    }
    case 'captcha': {
      const provider = required(body, 'provider', 16);
      const known = CAPTCHA_PROVIDERS.find((p) => p === provider);
      if (known === undefined)
        invalid('provider', `must be one of ${CAPTCHA_PROVIDERS.join(', ')}`);
      const minScore = body.minScore;
      if (
        minScore !== undefined &&
        (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1))
      ) {
        invalid('minScore', 'must be a number from 0 to 1');
      }
      return {
        settings: omitUndefined({
          provider: known,
          siteKey: text(body, 'siteKey', 256),
          minScore,
          expectedAction: text(body, 'expectedAction', 128),
        }),
        secret: text(body, 'secret', 1024),
      };
    }
  }
}

/** The statistics client configuration of a credential. */
export function statisticsConfig(
  cred: OpenCredential<'statistics'>,
  endpoints: Endpoints,
): StatisticsConfig {
  return {
    ...cred.settings,
    clientSecret: cred.secret,
    timeoutMs: endpoints.timeoutMs,
    http: endpoints.http,
  };
}

/** The FCM client options of a credential (endpoints are the operator's, never the tenant's). */
export function fcmOptions(
  cred: OpenCredential<'push-fcm'>,
  endpoints: Endpoints,
): FcmClientOptions {
  return {
    serviceAccount: parseFcmServiceAccount(cred.secret),
    baseUrl: endpoints.fcmBaseUrl ?? FCM_DEFAULT_BASE_URL,
    tokenUri: endpoints.fcmTokenUrl ?? GOOGLE_DEFAULT_TOKEN_URI,
    timeoutMs: endpoints.timeoutMs,
    http: endpoints.http,
  };
}

/** The APNs client options of a credential. */
export function apnsOptions(
  cred: OpenCredential<'push-apns'>,
  endpoints: Endpoints,
): ApnsClientOptions {
  const { teamId, keyId, bundleId, environment } = cred.settings;
  const override =
    environment === 'sandbox' ? endpoints.apnsSandboxHost : endpoints.apnsProductionHost;
  return {
    credential: { teamId, keyId, bundleId, privateKey: cred.secret },
    environment,
    host: override ?? APNS_HOSTS[environment],
    timeoutMs: endpoints.timeoutMs,
    http: endpoints.http,
  };
}

/** The CAPTCHA verifier configuration of a credential. */
export function captchaConfig(
  cred: OpenCredential<'captcha'>,
  endpoints: Endpoints,
): CaptchaConfig {
  const verifyUrls: Record<CaptchaProvider, string | undefined> = {
    recaptcha: endpoints.recaptchaVerifyUrl,
    hcaptcha: endpoints.hcaptchaVerifyUrl,
    turnstile: endpoints.turnstileVerifyUrl,
  };
  const verifyUrl = verifyUrls[cred.settings.provider];
  return omitUndefined({
    ...cred.settings,
    secret: cred.secret,
    verifyUrl,
    timeoutMs: endpoints.timeoutMs,
    http: endpoints.http,
  });
}

/** What the console's "Test" button runs for a stored credential. */
export function testCredential(
  cred: OpenCredential<CredentialFeature>,
  endpoints: Endpoints,
  deviceToken: string | undefined,
): Promise<CredentialTestResult> {
  const device = deviceToken === undefined ? {} : { deviceToken };
  if (isKind(cred, 'statistics'))
    return testStatisticsCredential(statisticsConfig(cred, endpoints));
  if (isKind(cred, 'push-fcm')) {
    const { baseUrl, tokenUri, timeoutMs, http } = fcmOptions(cred, endpoints);
    return testFcmCredential(cred.secret, { baseUrl, tokenUri, timeoutMs, http, ...device });
  }
  if (isKind(cred, 'push-apns'))
    return testApnsCredential({ ...apnsOptions(cred, endpoints), ...device });
  if (isKind(cred, 'captcha')) return testCaptchaCredential(captchaConfig(cred, endpoints));
  throw new AppError('NOT_FOUND', `Unknown credential "${cred.feature}"`);
}

/** Narrows an opened credential to one kind. */
export function isKind<F extends CredentialFeature>(
  cred: OpenCredential<CredentialFeature>,
  feature: F,
): cred is OpenCredential<F> {
  return cred.feature === feature;
}
