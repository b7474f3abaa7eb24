import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { success } from '../../envelope.js';

/** get-statistic-ex: the tenant's statistics source, or OpenCallback's own queue statistics. */
export async function statisticsRoutes(
  fastify: FastifyInstance,
  { services }: { services: Services },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/statistics/operations/get-statistic-ex',
    {
      schema: {
        tags: ['statistics'],
        summary:
          "Statistics through the registered statistics source; without one, the queues' own " +
          '(CallbacksWaiting, CallbacksScheduled, CallbacksInProgress, EstimatedWaitTime for objectId = queue name)',
        // Forwarded as it is to the registered source, whose request shape is its own.
        body: Type.Record(Type.String(), Type.Unknown()),
      },
    },
    async (request) =>
      success(
        request.id,
        await services.statistics.getStatisticEx(tenantOf(request), request.body),
      ),
  );
}
