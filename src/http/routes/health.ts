import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../plugins/metrics.js';
import type { Services } from '../../services/index.js';

/** Liveness, readiness (the store answers) and Prometheus metrics. */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { services: Services; metrics: Metrics },
) {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness' } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['operations'], summary: 'Readiness: the store is reachable' } },
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
    { schema: { tags: ['operations'], summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      reply.type(opts.metrics.contentType);
      return opts.metrics.scrape();
    },
  );
}
