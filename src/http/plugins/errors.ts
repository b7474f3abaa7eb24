import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorKind } from '../../domain/errors.js';
import { API_PATH, failure } from '../envelope.js';

type ValidationError = NonNullable<FastifyError['validation']>[number];

const paramText = (value: unknown) => (typeof value === 'string' ? value : '');

function describeValidation(error: FastifyError): AppError {
  const first: ValidationError | undefined = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  if (!first) return new AppError('INVALID_PARAMETER', error.message);
  if (first.keyword === 'required') {
    const missing = paramText(first.params.missingProperty);
    return new AppError('MISSING_PARAMETER', `Missing parameter: ${where}.${missing}`);
  }
  const field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const path = field === '' ? where : `${where}.${field}`;
  if (first.keyword === 'additionalProperties') {
    return new AppError(
      'INVALID_PARAMETER',
      `Invalid parameter: ${path}.${paramText(first.params.additionalProperty)} is not a known field`,
    );
  }
  return new AppError(
    'INVALID_PARAMETER',
    `Invalid parameter: ${path} ${first.message ?? ''}`.trim(),
  );
}

const BY_STATUS: Record<number, ErrorKind> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

// Six or more digits, maybe with a leading + and separators: a phone number as people write it.
const PHONE_LIKE = /\+?\d[\d ().-]{4,}\d/g;

/** `text` with every phone number reduced to its last two digits, for logs above debug. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_LIKE, (m) => `…${m.replace(/\D/g, '').slice(-2)}`);
}

/** Maps any thrown error to a catalogue error; unknown ones become 50001 without details. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (typeof error === 'object' && error !== null && 'validation' in error) {
    return describeValidation(error as FastifyError);
  }
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const kind = BY_STATUS[status];
    if (kind) return new AppError(kind);
    // Body parser errors (malformed JSON, empty body) say what is wrong without internals.
    return new AppError('MALFORMED_BODY', `Malformed request body: ${(error as Error).message}`);
  }
  return new AppError('INTERNAL');
}

/** Sends the error envelope for `error`. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  return reply.code(error.http).send(failure(request.id, error));
}

/**
 * Every error, thrown anywhere, leaves in the envelope with the catalogue code. With `spa`, a GET
 * for an unknown non-API path loads the console instead (it routes in the browser).
 */
export function registerErrorHandling(app: FastifyInstance, opts: { spa: boolean }): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.http >= 500) request.log.error({ err: error }, 'request failed');
    // `reason`, not `msg`: pino writes its own `msg` after ours, and a reader keeps the last.
    else {
      request.log.info(
        { code: appError.code, reason: maskPhoneNumbers(appError.message) },
        'request refused',
      );
    }
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    if (opts.spa && request.method === 'GET' && !API_PATH.test(request.url)) {
      return reply.sendFile('index.html');
    }
    return routeNotFound(request, reply);
  });
}

/** The envelope for a path no route serves. */
export function routeNotFound(request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0] ?? '';
  return sendError(request, reply, new AppError('NOT_FOUND', `No route ${request.method} ${path}`));
}
