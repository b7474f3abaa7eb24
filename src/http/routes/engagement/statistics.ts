import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, ErrorEnvelope, success } from '../../envelope.js';

/** get-statistic-ex: the tenant's statistics source, or OpenCallback's own queue statistics. */
export async function statisticsRoutes(
  fastify: FastifyInstance,
  { services }: { services: Services },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The official clients' statistics() is a POST without a body but with a JSON content type:
  // in this route's scope only, an empty JSON body reads as `{}` instead of a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const source = typeof text === 'string' ? text : text.toString('utf8');
    if (source.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(source) as unknown);
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });
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
        headers: Type.Object({
          'cache-control': Type.Optional(
            Type.String({
              maxLength: 200,
              description: 'max-age=N: accept cached answers up to N s old (N ≥ 15)',
            }),
          ),
        }),
        response: {
          200: envelope(
            Type.Unknown({
              description:
                "The registered source's answer as it gave it; without one, " +
                '{ statistics: [{ name, objectId, objectType, value, timestamp, message? }] }',
            }),
          ),
          // The registered source failed or refused our credentials.
          502: ErrorEnvelope,
        },
      },
    },
    async (request) =>
      success(
        request.id,
        await services.statistics.getStatisticEx(tenantOf(request), request.body, {
          maxAgeSeconds: maxAgeOf(request.headers['cache-control']),
        }),
      ),
  );
}

/** N of a `max-age=N` request directive; undefined when absent or unreadable. */
function maxAgeOf(cacheControl: string | undefined): number | undefined {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,9})"?/i.exec(cacheControl ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
