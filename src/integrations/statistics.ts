/**
 * Client for a GWS-style statistics source: OAuth2 client-credentials token (cached) and
 * get-statistic-ex requests forwarded as JSON, with answers cached per request body.
 */
import {
  asRecord,
  describeFailure,
  joinUrl,
  numberField,
  stringField,
  type HttpResult,
  type OutboundHttp,
} from './http-client.js';
import { CachedToken } from './token-cache.js';

export const STATISTICS_DEFAULT_TOKEN_PATH = '/auth/v3/oauth/token';
export const STATISTICS_DEFAULT_PATH = '/engagement/v3/statistics/operations/get-statistic-ex';
/** A source's max-age below this is ignored in favour of the default (too short to be useful). */
export const STATISTICS_MIN_MAX_AGE_SECONDS = 15;
export const STATISTICS_DEFAULT_CACHE_SECONDS = 300;
const TOKEN_REFRESH_MARGIN_MS = 30_000;
// Bounds memory when clients send many distinct bodies; the oldest entry goes first.
const MAX_CACHE_ENTRIES = 500;

export interface StatisticsConfig {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Default /auth/v3/oauth/token. */
  readonly tokenPath?: string;
  /** Default /engagement/v3/statistics/operations/get-statistic-ex. */
  readonly statisticsPath?: string;
  readonly timeoutMs?: number;
  /** Injectable clock in ms for the token and answer caches. */
  readonly now?: () => number;
  /** The guarded client every call goes through. */
  readonly http: OutboundHttp;
}

export type StatisticsTokenResult =
  | { readonly ok: true; readonly token: string; readonly expiresAtMs: number }
  | { readonly ok: false; readonly error: StatisticsError };

export interface StatisticsError {
  /** `auth`: the source refused our client id/secret; `upstream`: it failed or is unreachable. */
  readonly kind: 'auth' | 'upstream';
  readonly message: string;
  readonly status?: number;
  readonly retryable: boolean;
}

export type StatisticsResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly body: unknown;
      readonly fromCache: boolean;
      /** When the cached answer stops being served (ms). */
      readonly expiresAtMs: number;
    }
  | { readonly ok: false; readonly error: StatisticsError };

/** One tenant's statistics source: cached token, cached answers. */
export class StatisticsClient {
  private readonly now: () => number;
  private readonly token: CachedToken<StatisticsError>;
  private readonly pending = new Map<string, Promise<StatisticsResult>>();
  private readonly cache = new Map<
    string,
    { status: number; body: unknown; expiresAtMs: number; fetchedAtMs: number }
  >();

  constructor(private readonly config: StatisticsConfig) {
    this.now = config.now ?? Date.now;
    this.token = new CachedToken(() => this.exchangeToken(), this.now, TOKEN_REFRESH_MARGIN_MS);
  }

  /** An access token from the cache while fresh, else from the token endpoint. */
  accessToken(): Promise<StatisticsTokenResult> {
    return this.token.get();
  }

  /**
   * Forward a get-statistic-ex request; identical bodies are answered from cache until expiry,
   * or while younger than the caller's `maxAgeSeconds` (GES's `cache-control: max-age`, ≥ 15 s).
   */
  async getStatisticEx(
    request: unknown,
    opts: { maxAgeSeconds?: number | undefined } = {},
  ): Promise<StatisticsResult> {
    const key = stableStringify(request);
    const now = this.now();
    const cached = this.cache.get(key);
    const maxAgeMs =
      opts.maxAgeSeconds === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(opts.maxAgeSeconds, STATISTICS_MIN_MAX_AGE_SECONDS) * 1000;
    if (cached !== undefined && now < cached.expiresAtMs && now - cached.fetchedAtMs <= maxAgeMs) {
      const { status, body, expiresAtMs } = cached;
      return { ok: true, status, body, expiresAtMs, fromCache: true };
    }
    this.cache.delete(key);
    // Identical questions arriving together (many browsers polling one queue) share one upstream call.
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending;
    const fetching = this.fetchAndCache(key, request).finally(() => this.pending.delete(key));
    this.pending.set(key, fetching);
    return fetching;
  }

  /** Drop every cached answer (e.g. after the credential changed). */
  clearCache(): void {
    this.cache.clear();
  }

  private async fetchAndCache(key: string, request: unknown): Promise<StatisticsResult> {
    let response = await this.forward(request);
    if (response.ok && response.http.kind === 'response' && response.http.status === 401) {
      // The source may revoke tokens before their expiry; get a fresh one and retry once.
      this.token.invalidate(response.token);
      response = await this.forward(request);
    }
    if (!response.ok) return response;
    const http = response.http;
    if (http.kind === 'network-error') {
      return upstream(
        `Statistics source unreachable: ${http.message}`,
        undefined,
        http.refused !== true,
      );
    }
    if (http.status < 200 || http.status >= 300) {
      const retryable = http.status === 429 || http.status >= 500;
      return upstream(`Statistics source failed: ${describeFailure(http)}`, http.status, retryable);
    }
    if (http.truncated) {
      // Never relay a cut answer: it would be invalid, and the cap bounds what a source can push.
      return upstream(
        `Statistics source answered more than ${this.config.http.maxResponseBytes} bytes`,
        http.status,
        false,
      );
    }
    const body = http.json ?? http.text;
    const fetchedAtMs = this.now();
    const expiresAtMs = fetchedAtMs + cacheSeconds(http.headers.get('cache-control')) * 1000;
    this.remember(key, { status: http.status, body, expiresAtMs, fetchedAtMs });
    return { ok: true, status: http.status, body, fromCache: false, expiresAtMs };
  }

  private async forward(
    request: unknown,
  ): Promise<
    { ok: true; http: HttpResult; token: string } | { ok: false; error: StatisticsError }
  > {
    const token = await this.token.get();
    if (!token.ok) return token;
    const url = joinUrl(this.config.baseUrl, this.config.statisticsPath ?? STATISTICS_DEFAULT_PATH);
    const http = await this.config.http.postJson(url, request, {
      headers: { authorization: `Bearer ${token.token}` },
      timeoutMs: this.config.timeoutMs,
    });
    return { ok: true, http, token: token.token };
  }

  private remember(
    key: string,
    entry: { status: number; body: unknown; expiresAtMs: number; fetchedAtMs: number },
  ): void {
    if (this.cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(key, entry);
  }

  private async exchangeToken(): Promise<StatisticsTokenResult> {
    const url = joinUrl(
      this.config.baseUrl,
      this.config.tokenPath ?? STATISTICS_DEFAULT_TOKEN_PATH,
    );
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before going into Basic auth.
    const basic = Buffer.from(
      `${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`,
    ).toString('base64');
    const http = await this.config.http.postForm(
      url,
      { grant_type: 'client_credentials' },
      { headers: { authorization: `Basic ${basic}` }, timeoutMs: this.config.timeoutMs },
    );
    if (http.kind === 'network-error') {
      return upstream(
        `Token endpoint unreachable: ${http.message}`,
        undefined,
        http.refused !== true,
      );
    }
    const accessToken = stringField(http.json, 'access_token');
    if (http.status === 200 && accessToken !== undefined) {
      const expiresIn = numberField(http.json, 'expires_in') ?? STATISTICS_DEFAULT_CACHE_SECONDS;
      return { ok: true, token: accessToken, expiresAtMs: this.now() + expiresIn * 1000 };
    }
    if (http.status === 400 || http.status === 401 || http.status === 403) {
      const reason = stringField(http.json, 'error_description') ?? stringField(http.json, 'error');
      return {
        ok: false,
        error: {
          kind: 'auth',
          message: `The statistics source refused the client id or secret${
            reason === undefined ? '' : ` (${reason})`
          }`,
          status: http.status,
          retryable: false,
        },
      };
    }
    return upstream(
      `Token endpoint failed: ${describeFailure(http)}`,
      http.status,
      http.status === 429 || http.status >= 500,
    );
  }
}

/** Seconds to keep an answer: max-age when it is at least 15 s, else the 5-minute default. */
export function cacheSeconds(cacheControl: string | null): number {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? '');
  const maxAge = match?.[1] === undefined ? undefined : Number(match[1]);
  return maxAge !== undefined && maxAge >= STATISTICS_MIN_MAX_AGE_SECONDS
    ? maxAge
    : STATISTICS_DEFAULT_CACHE_SECONDS;
}

/** JSON with sorted object keys, so bodies that differ only in key order share a cache entry. */
export function stableStringify(value: unknown): string {
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    const record = asRecord(inner);
    if (record === undefined) return inner;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((name) => [name, record[name]]),
    );
  }) as string | undefined;
  // JSON.stringify(undefined) is undefined despite its declared type.
  return text ?? 'null';
}

function upstream(
  message: string,
  status: number | undefined,
  retryable: boolean,
): { ok: false; error: StatisticsError } {
  return {
    ok: false,
    error: { kind: 'upstream', message, retryable, ...(status === undefined ? {} : { status }) },
  };
}
