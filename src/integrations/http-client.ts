/**
 * The one outbound HTTP helper every integration uses. It never throws for protocol outcomes:
 * callers get either the response (any status) or a network failure, so each client decides
 * what "retryable" means for its provider in one place.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;

/** A response was received (whatever its status); `json` is undefined when the body is not JSON. */
export interface HttpResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** No response: DNS/connection failure, reset, or the timeout fired. */
export interface HttpNetworkError {
  readonly kind: 'network-error';
  readonly timedOut: boolean;
  readonly message: string;
}

export type HttpResult = HttpResponse | HttpNetworkError;

export interface PostOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** POST a raw string body with the given content type; the building block of the helpers below. */
export async function postRaw(
  url: string,
  body: string,
  contentType: string,
  options: PostOptions = {},
): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/json', ...options.headers },
      body,
      // Redirects on a POST to a credential endpoint are never legitimate; do not follow them.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      kind: 'response',
      status: response.status,
      headers: response.headers,
      text,
      json: parseJson(text),
    };
  } catch (error) {
    return networkError(error, timeoutMs);
  }
}

/** POST a JSON body. */
export function postJson(
  url: string,
  body: unknown,
  options: PostOptions = {},
): Promise<HttpResult> {
  return postRaw(url, JSON.stringify(body), 'application/json', options);
}

/** POST an application/x-www-form-urlencoded body; undefined fields are left out. */
export function postForm(
  url: string,
  fields: Readonly<Record<string, string | undefined>>,
  options: PostOptions = {},
): Promise<HttpResult> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.append(name, value);
  }
  return postRaw(url, form.toString(), 'application/x-www-form-urlencoded', options);
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date); undefined when absent or bad. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Narrow an unknown JSON value to a plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A string field of an unknown JSON object, or undefined. */
export function stringField(value: unknown, name: string): string | undefined {
  const field = asRecord(value)?.[name];
  return typeof field === 'string' ? field : undefined;
}

/** A finite numeric field of an unknown JSON object, or undefined. */
export function numberField(value: unknown, name: string): number | undefined {
  const field = asRecord(value)?.[name];
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

/** Join a configured base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Short human description of a failed exchange, for logs and the console's "Test" button. */
export function describeFailure(result: HttpResult): string {
  if (result.kind === 'network-error') return result.message;
  const snippet = result.text.length > 200 ? `${result.text.slice(0, 200)}…` : result.text;
  return `HTTP ${result.status}${snippet === '' ? '' : `: ${snippet}`}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function networkError(error: unknown, timeoutMs: number): HttpNetworkError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { kind: 'network-error', timedOut: true, message: `no answer within ${timeoutMs} ms` };
  }
  // fetch wraps the real reason (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'network-error',
    timedOut: false,
    message: cause === '' ? message : `${message} (${cause})`,
  };
}
