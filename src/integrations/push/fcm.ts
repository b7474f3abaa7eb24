/**
 * Firebase Cloud Messaging HTTP v1 client: service account → RS256 JWT assertion → OAuth2
 * access token (cached) → messages:send.
 */
import type { KeyObject } from 'node:crypto';
import {
  asRecord,
  describeFailure,
  joinUrl,
  numberField,
  parseRetryAfter,
  stringField,
  type HttpResult,
  type OutboundHttp,
} from '../http-client.js';
import { assertKeyFits, loadPrivateKey, signJwt } from '../jwt.js';
import { CachedToken } from '../token-cache.js';
import { pushFailure, type PushMessage, type PushResult, type PushSender } from './types.js';

export const FCM_DEFAULT_BASE_URL = 'https://fcm.googleapis.com';
export const GOOGLE_DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// Google caps assertions at one hour.
const ASSERTION_LIFETIME_SECONDS = 3600;
// Refresh a minute early so a token never expires in flight.
const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** The fields of a Google service-account JSON file that FCM needs. */
export interface FcmServiceAccount {
  readonly project_id: string;
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly token_uri?: string;
}

export interface FcmClientOptions {
  readonly serviceAccount: FcmServiceAccount;
  /** FCM API origin; default https://fcm.googleapis.com. */
  readonly baseUrl?: string;
  /** Overrides the service account's token_uri (tests point it at a fake). */
  readonly tokenUri?: string;
  readonly timeoutMs?: number;
  /** Injectable clock in ms. */
  readonly now?: () => number;
  /** The guarded client every call goes through. */
  readonly http: OutboundHttp;
}

interface TokenError {
  readonly result: PushResult;
}

/** Parse and check a service-account JSON (string or object); throws a clear message if unusable. */
export function parseFcmServiceAccount(input: unknown): FcmServiceAccount {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      throw new Error('The service account is not valid JSON');
    }
  }
  const record = asRecord(value);
  if (record === undefined) throw new Error('The service account must be a JSON object');
  const missing = ['project_id', 'client_email', 'private_key'].filter(
    (name) => typeof record[name] !== 'string' || record[name] === '',
  );
  if (missing.length > 0) {
    throw new Error(`The service account is missing ${missing.join(', ')}`);
  }
  const account: FcmServiceAccount = {
    project_id: String(record.project_id),
    client_email: String(record.client_email),
    private_key: String(record.private_key),
    private_key_id: stringField(record, 'private_key_id'),
    token_uri: stringField(record, 'token_uri'),
  };
  assertKeyFits(loadPrivateKey(account.private_key, 'private_key'), 'RS256', 'private_key');
  return account;
}

/** Sends through FCM with one service account; keep one per credential so the token cache works. */
export class FcmClient implements PushSender {
  private readonly key: KeyObject;
  private readonly baseUrl: string;
  private readonly tokenUri: string;
  private readonly timeoutMs: number | undefined;
  private readonly now: () => number;
  private readonly token: CachedToken<TokenError>;

  /** Throws at construction if the private key is unusable, before any network call. */
  constructor(private readonly options: FcmClientOptions) {
    const account = options.serviceAccount;
    this.key = loadPrivateKey(account.private_key, 'private_key');
    assertKeyFits(this.key, 'RS256', 'private_key');
    this.baseUrl = options.baseUrl ?? FCM_DEFAULT_BASE_URL;
    this.tokenUri = options.tokenUri ?? account.token_uri ?? GOOGLE_DEFAULT_TOKEN_URI;
    this.timeoutMs = options.timeoutMs;
    this.now = options.now ?? Date.now;
    this.token = new CachedToken(() => this.exchangeToken(), this.now, TOKEN_REFRESH_MARGIN_MS);
  }

  /** An OAuth2 access token for FCM, from cache while it is fresh. */
  async accessToken(): Promise<{ ok: true; token: string } | { ok: false; result: PushResult }> {
    const fetched = await this.token.get();
    return fetched.ok
      ? { ok: true, token: fetched.token }
      : { ok: false, result: fetched.error.result };
  }

  /** Send one notification; `validateOnly` asks FCM to check it without delivering. */
  async send(
    deviceToken: string,
    message: PushMessage,
    options: { validateOnly?: boolean } = {},
  ): Promise<PushResult> {
    const first = await this.sendOnce(deviceToken, message, options.validateOnly ?? false);
    if (first.kind !== 'stale-token') return first.result;
    // A revoked or clock-skewed token: mint a fresh one and try exactly once more.
    this.token.invalidate(first.token);
    const second = await this.sendOnce(deviceToken, message, options.validateOnly ?? false);
    return second.result;
  }

  private async sendOnce(
    deviceToken: string,
    message: PushMessage,
    validateOnly: boolean,
  ): Promise<
    | { kind: 'done'; result: PushResult }
    | { kind: 'stale-token'; token: string; result: PushResult }
  > {
    const token = await this.accessToken();
    if (!token.ok) return { kind: 'done', result: token.result };
    const project = encodeURIComponent(this.options.serviceAccount.project_id);
    const url = joinUrl(this.baseUrl, `/v1/projects/${project}/messages:send`);
    const body = {
      ...(validateOnly ? { validate_only: true } : {}),
      message: {
        token: deviceToken,
        notification: { title: message.title, body: message.body },
        ...(message.data === undefined ? {} : { data: message.data }),
      },
    };
    const response = await this.options.http.postJson(url, body, {
      headers: { authorization: `Bearer ${token.token}` },
      timeoutMs: this.timeoutMs,
    });
    const result = this.interpretSend(response);
    if (response.kind === 'response' && response.status === 401) {
      return { kind: 'stale-token', token: token.token, result };
    }
    return { kind: 'done', result };
  }

  private interpretSend(response: HttpResult): PushResult {
    if (response.kind === 'network-error') {
      return pushFailure(
        'unavailable',
        response.timedOut ? 'timeout' : 'network',
        response.message,
      );
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      const name = stringField(response.json, 'name');
      return name === undefined
        ? pushFailure('unavailable', 'bad-response', 'FCM answered without a message name', {
            status,
          })
        : { ok: true, messageId: name };
    }
    const error = asRecord(asRecord(response.json)?.error);
    const fcmCode = fcmErrorCode(error) ?? stringField(error, 'status') ?? `HTTP_${status}`;
    const text = stringField(error, 'message') ?? describeFailure(response);
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), this.now());
    const extra = retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds };
    // FCM's documented error codes; see the v1 ErrorCode reference.
    if (fcmCode === 'UNREGISTERED' || fcmCode === 'SENDER_ID_MISMATCH') {
      return pushFailure('invalid-token', fcmCode, text, extra);
    }
    if (fcmCode === 'INVALID_ARGUMENT' && /registration token/i.test(text)) {
      return pushFailure('invalid-token', fcmCode, text, extra);
    }
    if (status === 429 || status >= 500) return pushFailure('unavailable', fcmCode, text, extra);
    if (status === 401 || status === 403) return pushFailure('auth', fcmCode, text, extra);
    return pushFailure('rejected', fcmCode, text, extra);
  }

  private async exchangeToken(): Promise<
    { ok: true; token: string; expiresAtMs: number } | { ok: false; error: TokenError }
  > {
    const account = this.options.serviceAccount;
    const iat = Math.floor(this.now() / 1000);
    const assertion = signJwt(
      'RS256',
      account.private_key_id === undefined
        ? { typ: 'JWT' }
        : { typ: 'JWT', kid: account.private_key_id },
      {
        iss: account.client_email,
        scope: FCM_SCOPE,
        aud: this.tokenUri,
        iat,
        exp: iat + ASSERTION_LIFETIME_SECONDS,
      },
      this.key,
    );
    const response = await this.options.http.postForm(
      this.tokenUri,
      { grant_type: JWT_BEARER_GRANT, assertion },
      { timeoutMs: this.timeoutMs },
    );
    if (response.kind === 'network-error') {
      const reason = response.timedOut ? 'timeout' : 'network';
      return fail('unavailable', reason, `Token endpoint unreachable: ${response.message}`);
    }
    const accessToken = stringField(response.json, 'access_token');
    if (response.status === 200 && accessToken !== undefined) {
      const expiresIn = numberField(response.json, 'expires_in') ?? ASSERTION_LIFETIME_SECONDS;
      return { ok: true, token: accessToken, expiresAtMs: this.now() + expiresIn * 1000 };
    }
    const oauthError = stringField(response.json, 'error') ?? `HTTP_${response.status}`;
    const detail = stringField(response.json, 'error_description') ?? describeFailure(response);
    if (response.status === 429 || response.status >= 500) {
      return fail('unavailable', oauthError, `Token endpoint failed: ${detail}`, response.status);
    }
    return fail(
      'auth',
      oauthError,
      `Google refused the service account: ${detail}`,
      response.status,
    );
  }
}

function fail(
  kind: 'auth' | 'unavailable',
  reason: string,
  message: string,
  status?: number,
): { ok: false; error: TokenError } {
  return {
    ok: false,
    error: { result: pushFailure(kind, reason, message, status === undefined ? {} : { status }) },
  };
}

/** The FcmError detail's errorCode (UNREGISTERED, QUOTA_EXCEEDED…), when present. */
function fcmErrorCode(error: Record<string, unknown> | undefined): string | undefined {
  const details = error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const code = stringField(detail, 'errorCode');
    if (code !== undefined) return code;
  }
  return undefined;
}
