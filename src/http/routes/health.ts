import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import type { Metrics } from '../plugins/metrics.js';
import type { Services } from '../../services/index.js';

const tags = ['operations'];

/** Liveness, readiness (the store answers) and Prometheus metrics. */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { services: Services; metrics: Metrics; metricsToken?: string | undefined },
) {
  app.get(
    '/healthz',
    {
      schema: {
        tags,
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        summary: 'Readiness: the store is reachable',
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          503: Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await opts.services.ping();
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'unavailable', reason: 'store unreachable' });
      }
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags,
        summary: 'Prometheus metrics',
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      if (opts.metricsToken !== undefined) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        checkBearer(request, opts.metricsToken);
      }
      reply.type(opts.metrics.contentType);
      return opts.metrics.scrape();
    },
  );
}

/** Throws 40101/40102 unless the request carries `Authorization: Bearer <token>`. */
function checkBearer(request: FastifyRequest, token: string): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const given = match?.[1];
  if (given === undefined) {
    throw new AppError('MISSING_API_KEY', '/metrics needs "Authorization: Bearer <METRICS_TOKEN>"');
  }
  // Hashing first gives equal lengths, so the comparison takes the same time for any guess.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new AppError('INVALID_API_KEY', 'The metrics token is not METRICS_TOKEN');
  }
}
