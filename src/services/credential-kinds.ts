/**
 * The four kinds of integration credential (their schemas: domain/credentials.ts): how a body is
 * checked, and how a stored credential becomes a configured protocol client.
 */
import type { IntegrationsConfig } from '../config.js';
import { parseAllowList } from '../integrations/address-guard.js';
import { AppError } from '../domain/errors.js';
import { CREDENTIAL_FIELDS } from '../domain/credential-fields.js';
import {
  CREDENTIAL_FEATURES,
  CREDENTIAL_KINDS,
  type CredentialBodyOf,
  type CredentialFeature,
  type SettingsOf,
} from '../domain/credentials.js';
import { Issues, checkSchema } from '../domain/validation.js';
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
import { APNS_HOSTS, type ApnsClientOptions } from '../integrations/push/apns.js';
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

export { CREDENTIAL_FEATURES, type CredentialFeature, type SettingsOf };

/** A stored credential opened for use: its fields and its secret. */
export interface OpenCredential<F extends CredentialFeature> {
  feature: F;
  settings: SettingsOf[F];
  secret: string;
}

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

/** The body with its text trimmed; empty and null fields count as absent (forms send them). */
function given(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).flatMap(([key, raw]) => {
      const value = typeof raw === 'string' ? raw.trim() : raw;
      return value === '' || value === null || value === undefined ? [] : [[key, value]];
    }),
  );
}

/** The body checked against its kind's schema; 40002 when only required fields are missing. */
function checked<F extends CredentialFeature>(
  feature: F,
  body: Record<string, unknown>,
): CredentialBodyOf[F] {
  const issues = new Issues();
  if (checkSchema(CREDENTIAL_KINDS[feature].body, body, issues)) {
    return body as CredentialBodyOf[F];
  }
  const missing = issues.list.every((issue) => issue.endsWith(': is required'));
  throw new AppError(missing ? 'MISSING_PARAMETER' : 'INVALID_PARAMETER', issues.list.join('; '));
}

const omitUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/**
 * Validates a register/update body: its kind's schema, then what a schema cannot say (a usable
 * key, a parseable URL). The secret may be left out when one is already stored (an update of the
 * other fields keeps it); `secret` is then undefined.
 */
export function parseCredentialBody<F extends CredentialFeature>(
  feature: F,
  raw: Record<string, unknown>,
  hasStoredSecret: boolean,
): { settings: SettingsOf[F]; secret: string | undefined } {
  const body = given(raw);
  const secretField = CREDENTIAL_FIELDS[feature].secretField;
  if (body[secretField] === undefined && !hasStoredSecret) {
    throw new AppError('MISSING_PARAMETER', `${secretField} is required`);
  }
  const parsed = parseKind(feature, checked(feature, body));
  return parsed as { settings: SettingsOf[F]; secret: string | undefined };
}

function parseKind<F extends CredentialFeature>(
  feature: F,
  body: CredentialBodyOf[F],
): { settings: SettingsOf[CredentialFeature]; secret: string | undefined } {
  const kind = { feature, body } as {
    [K in CredentialFeature]: { feature: K; body: CredentialBodyOf[K] };
  }[CredentialFeature];
  switch (kind.feature) {
    case 'statistics': {
      const { clientSecret, ...settings } = kind.body;
      if (!URL.canParse(settings.baseUrl)) invalid('baseUrl', 'must be an http:// or https:// URL');
      return {
        settings: { ...settings, baseUrl: settings.baseUrl.replace(/\/+$/, '') },
        secret: clientSecret,
      };
    }
    case 'push-fcm': {
      const raw = kind.body.serviceAccount;
      if (raw === undefined) throw new AppError('MISSING_PARAMETER', 'serviceAccount is required');
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
      const { privateKey, environment = 'production', ...settings } = kind.body;
      if (privateKey !== undefined) {
        try {
          assertKeyFits(loadPrivateKey(privateKey, 'privateKey'), 'ES256', 'privateKey');
        } catch (e) {
          invalid('privateKey', `is unusable: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return { settings: { ...settings, environment }, secret: privateKey };
    }
    case 'captcha': {
      const { secret, ...settings } = kind.body;
      return { settings, secret };
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
