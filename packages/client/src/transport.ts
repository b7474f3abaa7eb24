import createClient, { type Client } from 'openapi-fetch';
import { OpenCallbackError } from './errors.js';
import type { paths } from './generated/api.js';

/** When a call that is safe to repeat is tried again. */
export interface RetryPolicy {
  /** Tries after the first (0 turns retrying off). */
  retries: number;
  /** The first backoff; each next one doubles, with full jitter. */
  baseDelayMs: number;
  /** No backoff is longer than this. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/** What every client takes. */
export interface ClientOptions {
  /** Where the service answers, e.g. `https://callbacks.example.com`. */
  baseUrl: string;
  /** Sent as `x-api-key`. */
  apiKey?: string;
  /** A fetch of your own (a proxy agent, a test double); the platform's by default. */
  fetch?: typeof globalThis.fetch;
  /** Retries of reads, or `false` for none. */
  retry?: Partial<RetryPolicy> | false;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

/** What every call takes. */
export interface CallOptions {
  /** Cancels the call, its retries and the waits between them. */
  signal?: AbortSignal;
}

/** Statuses after which a read is tried again: throttled, or a gateway that could not reach the service. */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** An openapi-fetch result, before unwrapping. */
export interface Reply {
  data?: unknown;
  error?: unknown;
  response: Response;
}

type Success<R extends Reply> = Exclude<R['data'], undefined>;

/** The `data` of the GES envelope a successful reply carries (`unknown` where the route has no schema). */
export type Unwrapped<R extends Reply> = [Success<R>] extends [never]
  ? unknown
  : Success<R> extends { data: infer D }
    ? D
    : Success<R>;

/** The generated paths under one prefix (one audience's API). */
export type PathsUnder<Prefix extends string> = {
  [P in keyof paths as P extends `${Prefix}${string}` ? P : never]: paths[P];
};

/** The JSON body a POST of `P` takes. */
export type PostBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody?: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

/** The query parameters a GET of `P` takes. */
export type GetQuery<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? NonNullable<Q>
  : never;

/** The openapi-fetch client over the generated paths, and the unwrapping, retrying call around it. */
export class Transport<Paths extends object> {
  readonly api: Client<Paths>;
  private readonly retry: RetryPolicy;

  constructor(options: ClientOptions, extraHeaders: Record<string, string> = {}) {
    const platformFetch = options.fetch ?? globalThis.fetch;
    this.api = createClient<Paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      // Called through a closure: a bare platform fetch must not be called as a method of another object.
      fetch: (request) => platformFetch(request),
      headers: {
        ...options.headers,
        ...extraHeaders,
        ...(options.apiKey === undefined ? {} : { 'x-api-key': options.apiKey }),
      },
    });
    this.retry =
      options.retry === false
        ? { ...DEFAULT_RETRY, retries: 0 }
        : { ...DEFAULT_RETRY, ...options.retry };
  }

  /**
   * Sends a request built by `send` and returns the envelope's `data`, or throws OpenCallbackError.
   * With `retry`, network errors, 429 and 502/503/504 are tried again after a backoff (or the
   * `Retry-After` the service gave): only for calls that change nothing.
   */
  async call<R extends Reply>(
    send: (signal: AbortSignal | undefined) => Promise<R>,
    options: CallOptions & { retry: boolean },
  ): Promise<Unwrapped<R>> {
    const { signal } = options;
    const retries = options.retry ? this.retry.retries : 0;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      let reply: R;
      try {
        reply = await send(signal);
      } catch (error) {
        // A refused connection or a reset: nothing was answered, a read may be asked again.
        if (signal?.aborted === true || attempt >= retries) throw error;
        await sleep(this.backoff(attempt), signal);
        continue;
      }
      if (reply.response.ok) return unwrap(reply);
      const error = OpenCallbackError.fromResponse(reply.response, reply.error);
      const wait = error.retryAfterMs ?? this.backoff(attempt);
      const retryable = RETRYABLE_STATUS.has(error.status) && wait <= this.retry.maxRetryAfterMs;
      if (!retryable || attempt >= retries) throw error;
      await sleep(wait, signal);
    }
  }

  /** Exponential backoff with full jitter, so many clients refused together do not return together. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return Math.random() * ceiling;
  }
}

function unwrap<R extends Reply>(reply: R): Unwrapped<R> {
  const body = reply.data;
  const data = typeof body === 'object' && body !== null && 'data' in body ? body.data : body;
  return data as Unwrapped<R>;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
