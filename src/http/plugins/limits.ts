import crypto from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind } from '../../domain/errors.js';
import { addressBucket, routeClassOf } from '../../domain/rate-limits.js';
import type { Services } from '../../services/index.js';
import { failure } from '../envelope.js';
import { CORRELATION_HEADER } from './correlation.js';
import { sendError } from './errors.js';

/** Deepest JSON nesting a request body may have; no request of ours needs more than a few. */
export const MAX_JSON_DEPTH = 32;

const ENGAGEMENT = '/engagement/v3/';

/** The deepest nesting of `text` as JSON, scanning no further than `limit` + 1. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/** Why a single value is refused, or undefined: see badValue. */
function badLeaf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be finite';
  if (typeof value === 'string' && value.includes('\u0000')) return 'contains a NUL character';
  return undefined;
}

/**
 * The names leading to the first value badValue refuses (innermost last) and why, or undefined.
 * The path is only built for a refusal: every request's query and parameters pass here.
 */
function findBad(value: unknown): { names: string[]; why: string } | undefined {
  if (typeof value !== 'object' || value === null) {
    const why = badLeaf(value);
    return why === undefined ? undefined : { names: [], why };
  }
  for (const k of Object.keys(value)) {
    if (k.includes('\u0000')) return { names: [], why: 'has a name with a NUL character' };
    const found = findBad((value as Record<string, unknown>)[k]);
    if (found !== undefined) {
      found.names.unshift(k);
      return found;
    }
  }
  return undefined;
}

/**
 * The first value no route can take, and why: a number that is not finite (JSON's `1e309` parses
 * to Infinity) or text with a NUL character (PostgreSQL cannot store one in text, so it failed
 * deep inside a query instead of being refused here).
 */
function badValue(value: unknown, path: string): string | undefined {
  const found = findBad(value);
  if (found === undefined) return undefined;
  // A NUL in a name is reported at the object holding it.
  return `${(path === '' ? found.names : [path, ...found.names]).join('.')} ${found.why}`;
}

/**
 * Request bodies: JSON nested deeper than MAX_JSON_DEPTH (it once overflowed the error log's
 * redaction), or holding a value `badValue` refuses, is refused before any route or log sees it.
 */
export function registerJsonGuard(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(
        new AppError(
          'MALFORMED_BODY',
          `Malformed request body: nested deeper than ${MAX_JSON_DEPTH} levels`,
        ),
      );
      return;
    }
    void parse(request, text, (err, value) => {
      if (err) {
        done(err);
        return;
      }
      const why = badValue(value, 'body');
      if (why !== undefined) {
        done(new AppError('INVALID_PARAMETER', `Invalid parameter: ${why}`));
        return;
      }
      done(null, value);
    });
  });
}

/**
 * Query and path parameters: a schema that coerces `Infinity`, `-Infinity` or `1e309` to a
 * number lets a non-finite value through (the validator checks only that it is a number), and
 * text may carry a NUL; every route refuses both here, after validation and before its handler.
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const why = badValue(request.query, 'query') ?? badValue(request.params, 'params');
    done(
      why === undefined
        ? undefined
        : new AppError('INVALID_PARAMETER', `Invalid parameter: ${why}`),
    );
  });
}

/**
 * Whether a browser's `Origin` names this server's own host (`Host`, or the proxy's forwarded
 * host with TRUST_PROXY). The scheme is left out: behind a TLS proxy without TRUST_PROXY the
 * console's https origin reaches us as http, and the same host is not a foreign site.
 */
function ownOrigin(origin: string, host: string): boolean {
  try {
    const from = new URL(origin);
    // The Host read in the origin's scheme, so default ports compare equal either way.
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPES = /^(text\/plain|application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * Cross-site request forgery on the console: a state-changing admin request made with the
 * session cookie must come from the console's own origin, and never as a "simple" (form or
 * text) request that a foreign page can send without a preflight. API-key callers are not
 * browsers riding on a cookie, so they are left alone.
 */
export function registerConsoleOriginCheck(app: FastifyInstance): void {
  // Synchronous: every request passes here, and only console changes need more than a look.
  app.addHook('onRequest', (request, _reply, done) => {
    done(
      SAFE_METHODS.has(request.method) || !request.url.startsWith('/admin/')
        ? undefined
        : consoleChangeRefusal(request),
    );
  });
}

/** Why a state-changing admin request may not be made from where it comes, or undefined. */
function consoleChangeRefusal(request: FastifyRequest): AppError | undefined {
  if (request.headers['x-api-key'] !== undefined) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && !ownOrigin(origin, request.host)) {
    return new AppError('ORIGIN_NOT_ALLOWED', `Origin ${origin} may not change the console`);
  }
  const site = request.headers['sec-fetch-site'];
  if (origin === undefined && site !== undefined && site !== 'same-origin' && site !== 'none') {
    return new AppError('ORIGIN_NOT_ALLOWED', 'Cross-site requests may not change the console');
  }
  const type = request.headers['content-type'];
  if (type !== undefined && FORM_TYPES.test(type)) {
    return new AppError(
      'ORIGIN_NOT_ALLOWED',
      'Console changes are sent as application/json (or without a body)',
    );
  }
  return undefined;
}

function phoneNumberOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const phone = record.phoneNumber ?? record.fromPhoneNumber;
  return typeof phone === 'string' && phone !== '' ? phone : undefined;
}

/**
 * Engagement API rate limits per key, client address and (on bookings) phone number, as the
 * tenant configured them; a refusal is 42904 with `Retry-After`.
 */
export function registerRateLimits(app: FastifyInstance, services: Services): void {
  if (!services.rateLimits.enabled) return;
  // Before validation, so requests refused as invalid count too (each one costs an error-log write).
  app.addHook('preValidation', async (request, reply) => {
    const url = request.routeOptions.url;
    const principal = request.principal;
    if (url === undefined || !url.startsWith(ENGAGEMENT) || principal?.kind !== 'key') return;
    const refusal = await services.rateLimits.check({
      tenantId: principal.tenantId,
      keyId: principal.keyId,
      ip: addressBucket(request.ip),
      routeClass: routeClassOf(request.method, url),
      phoneNumber: phoneNumberOf(request.body),
    });
    if (refusal === undefined) return;
    reply.header('retry-after', String(refusal.retryAfterSeconds));
    const what = { perKey: 'API key', perIp: 'address', perPhoneNumber: 'phone number' }[
      refusal.scope
    ];
    throw new AppError(
      'RATE_LIMITED',
      `Too many requests for this ${what}: at most ${refusal.limit.max} per ${refusal.limit.windowSeconds} s; retry after ${refusal.retryAfterSeconds} s`,
    );
  });
}

const FRAMEWORK: Record<string, ErrorKind> = {
  FST_ERR_BAD_URL: 'INVALID_PARAMETER',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Router refusals (a bad URL encoding, an over-long path parameter) in the envelope. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const kind = FRAMEWORK[error.code] ?? 'INVALID_PARAMETER';
  reply.header(CORRELATION_HEADER, request.id);
  void sendError(
    request,
    reply,
    new AppError(kind, kind === 'URI_TOO_LONG' ? undefined : 'Invalid parameter: malformed URL'),
  );
}

/**
 * Errors Node's HTTP parser answers before any request exists (malformed request line or
 * headers, headers too large, a request that took too long): the envelope, with a fresh
 * correlation ID, on a connection that is then closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const kind: ErrorKind =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'REQUEST_TIMEOUT'
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 'HEADERS_TOO_LARGE'
        : error.code === 'HPE_URI_TOO_LONG'
          ? 'URI_TOO_LONG'
          : 'MALFORMED_REQUEST';
  const corrId = crypto.randomUUID();
  const appError = new AppError(kind);
  const body = JSON.stringify(failure(corrId, appError));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appError.http} ${http.STATUS_CODES[appError.http] ?? ''}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `${CORRELATION_HEADER}: ${corrId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
