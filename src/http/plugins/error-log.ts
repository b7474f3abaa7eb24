import type { FastifyInstance } from 'fastify';
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
 * error can be looked up by correlation ID as soon as the client has it.
 */
export function registerErrorLog(app: FastifyInstance, services: Services): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const tenantId = request.principal?.tenantId ?? request.errorTenant;
    if (reply.statusCode < 400 || tenantId === undefined) return payload;
    const response = parseBody(payload);
    const status =
      typeof response === 'object' && response !== null && 'status' in response
        ? (response.status as { code?: unknown; message?: unknown })
        : {};
    // A flood refused by the rate limits must not become a write per refused request.
    if (status.code === ERROR_CATALOGUE.RATE_LIMITED.code) return payload;
    try {
      await services.errors.record({
        tenantId,
        corrId: request.id,
        method: request.method,
        url: request.url,
        httpStatus: reply.statusCode,
        code: typeof status.code === 'number' ? status.code : reply.statusCode * 100,
        message: typeof status.message === 'string' ? status.message : '',
        requestHeaders: request.headers,
        requestBody: request.body ?? null,
        responseBody: response,
      });
    } catch (err) {
      // The client's answer matters more than our log of it.
      request.log.error({ err }, 'could not store the error log entry');
    }
    return payload;
  });
}
