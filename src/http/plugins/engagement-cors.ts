import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { CORRELATION_HEADER } from './correlation.js';

// cache-control: the official clients' statistics() sends it from browsers too.
const ALLOW_HEADERS = 'content-type, x-api-key, x-correlation-id, cache-control';
const ALLOW_METHODS = 'GET, POST, OPTIONS';
const PREFLIGHT_MAX_AGE = '600';

declare module 'fastify' {
  interface FastifyRequest {
    /** Tenants that allow this request's Origin (undefined when it has none). */
    originTenants: Set<string> | undefined;
  }
}

function grant(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', CORRELATION_HEADER);
}

/**
 * CORS for the Engagement API. The tenant is the API key's, but a preflight carries no key: it is
 * answered for an origin that some tenant allows, and the real request is then checked against
 * the key's tenant. An origin nobody allows gets 403 / 40301 and no grant.
 */
export function registerEngagementCors(app: FastifyInstance, services: Services): void {
  // A callback, not a promise: most requests carry no Origin and need no look-up.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    // A page this service served itself (the widget's demo page) is not a cross-origin caller.
    if (origin === undefined || origin === `${request.protocol}://${request.host}`) {
      done();
      return;
    }
    services.tenants.tenantsAllowingOrigin(origin).then((tenants) => {
      request.originTenants = tenants;
      if (tenants.size === 0) {
        done(new AppError('ORIGIN_NOT_ALLOWED', `Origin ${origin} is not allowed`));
        return;
      }
      grant(reply, origin);
      done();
    }, done);
  });

  app.options('/*', { schema: { hide: true } }, async (request, reply) => {
    reply
      .header('access-control-allow-methods', ALLOW_METHODS)
      .header('access-control-allow-headers', ALLOW_HEADERS)
      .header('access-control-max-age', PREFLIGHT_MAX_AGE)
      .code(204);
    return reply.send();
  });
}

/** After the key is known: the Origin, if any, must be one the key's tenant allows. */
export function checkOriginForTenant(
  request: FastifyRequest,
  reply: FastifyReply,
  tenantId: string,
) {
  const tenants = request.originTenants;
  if (tenants === undefined || tenants.has(tenantId)) return;
  reply.removeHeader('access-control-allow-origin');
  reply.removeHeader('access-control-expose-headers');
  throw new AppError('ORIGIN_NOT_ALLOWED', `Origin ${request.headers.origin ?? ''} is not allowed`);
}
