import type { FastifyInstance } from 'fastify';
import { availabilityRoutes } from '../engagement/availability.js';
import type { AdminOptions } from './index.js';
import { TOOLS } from './roles.js';

/**
 * The console's Queue check: the Engagement API's availability, open-for, queue-status and
 * estimated-wait-time routes themselves, mounted again under /admin/v1/queue-check for a signed-in
 * user (who has no API key at hand). Same handlers, so the console shows exactly what a client
 * of the Engagement API is answered.
 */
export async function queueCheckRoutes(
  fastify: FastifyInstance,
  { services, bodies }: AdminOptions,
) {
  fastify.addHook('onRoute', (route) => {
    route.config = { ...route.config, roles: TOOLS };
    const summary = route.schema?.summary;
    route.schema = {
      ...route.schema,
      tags: ['queue-check'],
      summary: `Queue check for the console, as the Engagement API answers it: ${summary ?? ''}`,
    };
  });
  await fastify.register(availabilityRoutes, { services, bodies, prefix: '/queue-check' });
}
