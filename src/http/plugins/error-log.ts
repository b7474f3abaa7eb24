import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';

function parseBody(payload: unknown): unknown {
  if (typeof payload !== 'string') return null;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/**
 * Stores every error response of the scope in its tenant's error log before it is sent, so the
 * error can be looked up by correlation ID as soon as the client has it. Only a request with a
 * valid key is logged as its tenant's; one without is counted, and shown to a tenant only when
 * the presented key's prefix is one of that tenant's keys (see ErrorLogService).
 */
export function registerErrorLog(app: FastifyInstance, services: Services): void {
  // A callback, not a promise: the successes that are nearly every answer only pass through.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode < 400 || request.method === 'OPTIONS') {
      done(null, payload);
      return;
    }
    void record(services, request, reply.statusCode, payload).then(() => done(null, payload));
  });
}

/** Stores one error answer in the log (never fails: the client's answer matters more). */
async function record(
  services: Services,
  request: FastifyRequest,
  httpStatus: number,
  payload: unknown,
): Promise<void> {
  const tenantId = request.principal?.tenantId;
  const response = parseBody(payload);
  const status =
    typeof response === 'object' && response !== null && 'status' in response
      ? (response.status as { code?: unknown; message?: unknown })
      : {};
  // A flood refused by the rate limits must not become a write per refused request.
  if (status.code === ERROR_CATALOGUE.RATE_LIMITED.code) return;
  try {
    const error = {
      corrId: request.id,
      method: request.method,
      url: request.url,
      httpStatus,
      code: typeof status.code === 'number' ? status.code : httpStatus * 100,
      message: typeof status.message === 'string' ? status.message : '',
      requestHeaders: request.headers,
      requestBody: request.body ?? null,
      responseBody: response,
    };
    if (tenantId !== undefined) {
      await services.errors.record({ ...error, tenantId });
    } else {
      const header = request.headers['x-api-key'];
      const key = typeof header === 'string' ? header.trim() : '';
      const presented = key === '' ? undefined : await services.access.tenantsForKeyPrefix(key);
      await services.errors.recordUnauthenticated(error, presented);
    }
  } catch (err) {
    request.log.error({ err }, 'could not store the error log entry');
  }
}
