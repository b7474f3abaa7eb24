/**
 * Apple Push Notification service provider API client: an ES256 provider token (cached) sent over
 * one long-lived HTTP/2 connection, as Apple requires.
 */
import type { KeyObject } from 'node:crypto';
import http2 from 'node:http2';
import {
  DEFAULT_TIMEOUT_MS,
  OutboundRefused,
  parseRetryAfter,
  stringField,
  type OutboundHttp,
} from '../http-client.js';
import { assertKeyFits, loadPrivateKey, signJwt } from '../jwt.js';
import { CachedToken } from '../token-cache.js';
import { pushFailure, type PushMessage, type PushResult, type PushSender } from './types.js';
import { errorContext, silentLogger, type Logger } from '../../log.js';

export const APNS_HOSTS = {
  production: 'https://api.push.apple.com',
  sandbox: 'https://api.sandbox.push.apple.com',
} as const;
export type ApnsEnvironment = keyof typeof APNS_HOSTS;

// Apple rejects provider tokens older than an hour and throttles refreshes more often than every
// 20 minutes; 50 minutes sits safely between the two.
const PROVIDER_TOKEN_LIFETIME_MS = 50 * 60_000;
// Close an idle connection after this long; the next send reconnects.
const IDLE_CLOSE_MS = 10 * 60_000;

export interface ApnsCredential {
  /** The 10-character Team ID of the Apple developer account. */
  readonly teamId: string;
  /** The 10-character Key ID of the .p8 signing key. */
  readonly keyId: string;
  /** The .p8 key in PEM form (EC P-256). */
  readonly privateKey: string;
  /** The app's bundle id, sent as apns-topic. */
  readonly bundleId: string;
}

export interface ApnsClientOptions {
  readonly credential: ApnsCredential;
  /** Chooses the default host; default production. */
  readonly environment?: ApnsEnvironment;
  /** Overrides the host, e.g. `http://127.0.0.1:port` for a cleartext HTTP/2 fake. */
  readonly host?: string;
  readonly timeoutMs?: number;
  /** Injectable clock in ms. */
  readonly now?: () => number;
  /** Hears connection errors, which the pending request also reports. */
  readonly log?: Logger;
  /** The guarded client whose address policy and size cap apply to this connection too. */
  readonly http: OutboundHttp;
}

export interface ApnsSendOptions {
  /** 10 = deliver now (default), 5 = when power-efficient, 1 = lowest. */
  readonly priority?: 10 | 5 | 1;
}

interface RawResponse {
  readonly status: number;
  readonly apnsId: string | undefined;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

type Exchange =
  { ok: true; response: RawResponse } | { ok: false; timedOut: boolean; message: string };

/** Host URL for an environment, or the explicit override. */
export function apnsHost(options: Pick<ApnsClientOptions, 'environment' | 'host'>): string {
  return options.host ?? APNS_HOSTS[options.environment ?? 'production'];
}

/** Sends through APNs with one .p8 key; keep one per credential to reuse the connection and token. */
export class ApnsClient implements PushSender {
  private readonly key: KeyObject;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly token: CachedToken<never>;
  private session: http2.ClientHttp2Session | undefined;
  private inFlight = 0;

  /** Throws at construction if the key is not an EC P-256 private key. */
  constructor(private readonly options: ApnsClientOptions) {
    this.key = loadPrivateKey(options.credential.privateKey, 'privateKey');
    assertKeyFits(this.key, 'ES256', 'privateKey');
    this.host = apnsHost(options);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.token = new CachedToken(async () => this.mintProviderToken(), this.now, 0);
  }

  /** Send one alert notification to a device token. */
  async send(
    deviceToken: string,
    message: PushMessage,
    options: ApnsSendOptions = {},
  ): Promise<PushResult> {
    // APNs tokens are hex; checking here also keeps the token from altering the request path.
    if (!/^[0-9a-fA-F]{8,200}$/.test(deviceToken)) {
      return pushFailure('invalid-token', 'BadDeviceToken', 'Not an APNs device token (hex)');
    }
    const first = await this.sendOnce(deviceToken, message, options);
    if (first.ok || first.reason !== 'ExpiredProviderToken') return first;
    this.token.invalidate();
    return this.sendOnce(deviceToken, message, options);
  }

  /** Close the HTTP/2 connection; later sends reconnect. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session === undefined || session.closed || session.destroyed) return;
    await new Promise<void>((resolve) => session.close(() => resolve()));
  }

  private async sendOnce(
    deviceToken: string,
    message: PushMessage,
    options: ApnsSendOptions,
  ): Promise<PushResult> {
    const token = await this.token.get();
    if (!token.ok) return token.error;
    const payload = {
      ...message.data,
      // aps goes last so custom data can never overwrite it.
      aps: { alert: { title: message.title, body: message.body } },
    };
    const exchange = await this.request(
      {
        ':method': 'POST',
        ':path': `/3/device/${deviceToken}`,
        authorization: `bearer ${token.token}`,
        'apns-topic': this.options.credential.bundleId,
        'apns-push-type': 'alert',
        'apns-priority': String(options.priority ?? 10),
        'content-type': 'application/json',
      },
      JSON.stringify(payload),
    );
    if (!exchange.ok) {
      return pushFailure(
        'unavailable',
        exchange.timedOut ? 'timeout' : 'network',
        exchange.message,
      );
    }
    return this.interpret(exchange.response);
  }

  private interpret(response: RawResponse): PushResult {
    const { status } = response;
    if (status === 200) return { ok: true, messageId: response.apnsId ?? '' };
    let json: unknown;
    try {
      json = JSON.parse(response.body) as unknown;
    } catch {
      json = undefined;
    }
    const reason = stringField(json, 'reason') ?? `HTTP_${status}`;
    const retryAfterSeconds = parseRetryAfter(response.retryAfter, this.now());
    const extra = retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds };
    const text = `APNs refused the notification: ${reason}`;
    switch (reason) {
      case 'BadDeviceToken':
      case 'DeviceTokenNotForTopic':
      case 'Unregistered':
      case 'ExpiredToken':
        return pushFailure('invalid-token', reason, text, extra);
      case 'InvalidProviderToken':
      case 'MissingProviderToken':
      case 'ExpiredProviderToken':
      case 'BadCertificate':
      case 'BadCertificateEnvironment':
      case 'Forbidden':
      case 'BadTopic':
      case 'MissingTopic':
      case 'TopicDisallowed':
        return pushFailure('auth', reason, text, extra);
      default:
        if (status === 429 || status >= 500) return pushFailure('unavailable', reason, text, extra);
        if (status === 403) return pushFailure('auth', reason, text, extra);
        return pushFailure('rejected', reason, text, extra);
    }
  }

  private mintProviderToken(): { ok: true; token: string; expiresAtMs: number } {
    const { teamId, keyId } = this.options.credential;
    const now = this.now();
    const token = signJwt(
      'ES256',
      { kid: keyId },
      { iss: teamId, iat: Math.floor(now / 1000) },
      this.key,
    );
    return { ok: true, token, expiresAtMs: now + PROVIDER_TOKEN_LIFETIME_MS };
  }

  private connect(): http2.ClientHttp2Session {
    const existing = this.session;
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const refusal = this.options.http.urlRefusal(this.host);
    if (refusal !== undefined) throw new OutboundRefused(`${this.host} ${refusal}`);
    // The guard's lookup checks every address the host resolves to when the socket connects.
    const session = http2.connect(this.host, { lookup: this.options.http.lookup });
    // A broken connection must not crash the process; the pending request reports the error.
    session.on('error', (err) =>
      (this.options.log ?? silentLogger).warn(
        { ...errorContext(err), host: this.host },
        'APNs connection failed',
      ),
    );
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('close', forget);
    session.on('goaway', forget);
    session.setTimeout(IDLE_CLOSE_MS, () => session.close());
    this.session = session;
    return session;
  }

  private request(headers: http2.OutgoingHttpHeaders, body: string): Promise<Exchange> {
    return new Promise((resolve) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.connect();
      } catch (error) {
        resolve({ ok: false, timedOut: false, message: errorMessage(error) });
        return;
      }
      // Keep the process alive only while a request is pending, not for an idle connection.
      this.inFlight += 1;
      session.ref();
      let settled = false;
      const finish = (result: Exchange): void => {
        if (settled) return;
        settled = true;
        this.inFlight -= 1;
        if (this.inFlight === 0 && !session.destroyed) session.unref();
        resolve(result);
      };
      const stream = session.request(headers);
      let status = 0;
      let apnsId: string | undefined;
      let retryAfter: string | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      const cap = this.options.http.maxResponseBytes;
      stream.setTimeout(this.timeoutMs, () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        finish({ ok: false, timedOut: true, message: `no answer within ${this.timeoutMs} ms` });
      });
      stream.on('response', (responseHeaders) => {
        status = Number(responseHeaders[':status'] ?? 0);
        apnsId = headerValue(responseHeaders['apns-id']);
        retryAfter = headerValue(responseHeaders['retry-after']);
      });
      const answered = (): void =>
        finish({
          ok: true,
          response: { status, apnsId, retryAfter, body: Buffer.concat(chunks).toString('utf8') },
        });
      stream.on('data', (chunk: Buffer) => {
        // Past the cap the rest is not read: the answer is judged on what fits.
        if (size + chunk.length > cap) {
          chunks.push(chunk.subarray(0, cap - size));
          size = cap;
          stream.close(http2.constants.NGHTTP2_CANCEL);
          answered();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('end', answered);
      stream.on('error', (error) =>
        finish({ ok: false, timedOut: false, message: errorMessage(error) }),
      );
      // A reset stream may close without 'end' or 'error'; never leave the caller waiting.
      stream.on('close', () =>
        finish({
          ok: false,
          timedOut: false,
          message: `stream closed (code ${stream.rstCode ?? 0})`,
        }),
      );
      stream.end(body);
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorMessage(error: unknown): string {
  // A refused connection reaches the pending stream as the cause of its cancellation.
  const refusal =
    error instanceof Error && error.cause instanceof OutboundRefused ? error.cause : error;
  if (refusal instanceof OutboundRefused) return `refused: ${refusal.message}`;
  return error instanceof Error ? error.message : String(error);
}
