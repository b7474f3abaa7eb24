/**
 * The one outbound HTTP client every integration uses. It never throws for protocol outcomes:
 * callers get either the response (any status) or a network failure, so each client decides
 * what "retryable" means for its provider in one place. It is also the guard: every connection
 * is checked against the address policy when it is made (so a name that re-resolves to a private
 * address is caught), and no answer is read beyond the size cap.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  NOTHING_ALLOWED,
  addressRefusal,
  hostRefusal,
  isAllowedName,
  urlRefusal,
  type OutboundAllowList,
} from './address-guard.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 16_384;
// Kept-alive sockets are dropped before the usual 5 s server keep-alive timeout.
const FREE_SOCKET_TIMEOUT_MS = 4_000;

/** A response was received (whatever its status); `json` is undefined when the body is not JSON. */
export interface HttpResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: Headers;
  /** At most the size cap; `truncated` tells that more was sent and dropped. */
  readonly text: string;
  readonly truncated: boolean;
  readonly json: unknown;
}

/** No response: refused by the address policy, DNS/connection failure, reset, or the timeout. */
export interface HttpNetworkError {
  readonly kind: 'network-error';
  readonly timedOut: boolean;
  /** True when the address policy refused the destination (nothing was sent). */
  readonly refused?: boolean;
  readonly message: string;
}

export type HttpResult = HttpResponse | HttpNetworkError;

export interface PostOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Where outbound calls may go and how much of an answer is read. */
export interface OutboundPolicy {
  readonly allow: OutboundAllowList;
  readonly maxResponseBytes: number;
  /** Resolves a name to all its addresses; dns.lookup by default (tests simulate rebinding). */
  readonly resolve: (hostname: string) => Promise<readonly LookupAddress[]>;
}

/** Thrown inside a connection attempt the policy refuses; reported as a network error. */
export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
}

/** The guarded client; one per process, shared by every integration. */
export class OutboundHttp {
  readonly maxResponseBytes: number;
  private readonly allow: OutboundAllowList;
  private readonly resolve: OutboundPolicy['resolve'];
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(policy: Partial<OutboundPolicy> = {}) {
    this.allow = policy.allow ?? NOTHING_ALLOWED;
    this.maxResponseBytes = policy.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.resolve = policy.resolve ?? ((hostname) => dns.promises.lookup(hostname, { all: true }));
    const agentOptions = {
      keepAlive: true,
      timeout: FREE_SOCKET_TIMEOUT_MS,
      lookup: this.lookup,
    };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  /** Why a URL may not be called, judged before DNS (for validating URLs when they are saved). */
  urlRefusal(url: string): string | undefined {
    return urlRefusal(url, this.allow);
  }

  /** Why a host may not be reached before DNS (IP literals, loopback and metadata names). */
  hostRefusal(host: string): string | undefined {
    return hostRefusal(host, this.allow);
  }

  /**
   * A socket `lookup` that resolves the name and refuses it when any address it resolves to is
   * refused, so a name cannot slip a private address in between a check and the connection.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const byName = hostRefusal(hostname, this.allow);
    if (byName !== undefined) {
      callback(new OutboundRefused(`${hostname} ${byName}`), '', 4);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    this.resolve(hostname).then(
      (resolved) => {
        const addresses = resolved.filter((a) => wanted === undefined || a.family === wanted);
        if (!isAllowedName(hostname, this.allow)) {
          for (const { address } of addresses) {
            const why = addressRefusal(address, this.allow);
            if (why !== undefined) {
              callback(new OutboundRefused(`${hostname} resolves to ${address}, ${why}`), '', 4);
              return;
            }
          }
        }
        if (options.all === true) {
          callback(null, addresses);
        } else {
          const first = addresses[0];
          if (first === undefined) callback(new Error(`${hostname} has no address`), '', 4);
          else callback(null, first.address, first.family);
        }
      },
      (error: unknown) =>
        callback(error instanceof Error ? error : new Error(String(error)), '', 4),
    );
  };

  /** POST a raw string body with the given content type; the building block of the helpers below. */
  postRaw(
    url: string,
    body: string,
    contentType: string,
    options: PostOptions = {},
  ): Promise<HttpResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const refusal = this.urlRefusal(url);
    if (refusal !== undefined) return Promise.resolve(refused(`${url} ${refusal}`));
    const target = new URL(url);
    const https_ = target.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: HttpResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = (https_ ? https : http).request(target, {
        method: 'POST',
        agent: https_ ? this.httpsAgent : this.httpAgent,
        headers: {
          'content-type': contentType,
          accept: 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...options.headers,
        },
      });
      // One deadline for DNS, connection and the whole answer.
      const timer = setTimeout(() => {
        request.destroy();
        finish({
          kind: 'network-error',
          timedOut: true,
          message: `no answer within ${timeoutMs} ms`,
        });
      }, timeoutMs);
      request.on('error', (error) => finish(networkError(error)));
      // Redirects are not followed: a redirect on a POST to a provider is never legitimate.
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const done = (): void => {
          const text = Buffer.concat(chunks).toString('utf8');
          finish({
            kind: 'response',
            status: response.statusCode ?? 0,
            headers: toHeaders(response.headers),
            text,
            truncated,
            json: truncated ? undefined : parseJson(text),
          });
        };
        response.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = this.maxResponseBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            truncated = true;
            // Stop reading: a huge or endless answer must not grow memory or hold the socket.
            response.destroy();
            done();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', done);
        response.on('error', (error) => finish(networkError(error)));
      });
      request.end(body);
    });
  }

  /** POST a JSON body. */
  postJson(url: string, body: unknown, options: PostOptions = {}): Promise<HttpResult> {
    return this.postRaw(url, JSON.stringify(body), 'application/json', options);
  }

  /** POST an application/x-www-form-urlencoded body; undefined fields are left out. */
  postForm(
    url: string,
    fields: Readonly<Record<string, string | undefined>>,
    options: PostOptions = {},
  ): Promise<HttpResult> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) form.append(name, value);
    }
    return this.postRaw(url, form.toString(), 'application/x-www-form-urlencoded', options);
  }

  /** Closes kept-alive connections (shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** A network error for a destination the policy refuses. */
export function refused(message: string): HttpNetworkError {
  return { kind: 'network-error', timedOut: false, refused: true, message: `refused: ${message}` };
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

function networkError(error: Error): HttpNetworkError {
  if (error instanceof OutboundRefused) return refused(error.message);
  const code = (error as NodeJS.ErrnoException).code;
  return {
    kind: 'network-error',
    timedOut: false,
    message: code === undefined ? error.message : `${error.message} (${code})`,
  };
}

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
