import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CALLBACK_STATES } from '../../../domain/booking.js';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { success } from '../../envelope.js';
import type { AdminOptions } from './index.js';
import { CALLBACK_WRITERS, DEVELOPERS, EVERYONE, TOOLS } from './roles.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Purge now, bulk cancel, queue statistics and webhook subscriptions. */
export async function lifecycleRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/queues/:name/purge',
    {
      config: { roles: TOOLS },
      schema: {
        tags: ['lifecycle'],
        summary: 'Purge a queue now: every waiting callback completes PURGED',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (request) => {
      const purged = await services.lifecycle.purgeNow(actorOf(request), request.params.name);
      return success(request.id, { serviceName: request.params.name, purged });
    },
  );

  app.post(
    '/callbacks/bulk-cancel',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags: ['lifecycle'],
        summary: 'Cancel waiting callbacks by ids or by filter (CANCELLED_BY_ADMIN)',
        body: Type.Object({
          ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
          serviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          states: Type.Optional(
            Type.Array(Type.Union(CALLBACK_STATES.map((s) => Type.Literal(s))), { maxItems: 5 }),
          ),
          phoneNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
        }),
      },
    },
    async (request) => {
      const cancelled = await services.lifecycle.bulkCancel(actorOf(request), request.body);
      return success(request.id, { cancelled });
    },
  );

  app.get(
    '/stats/queues',
    {
      config: { roles: EVERYONE },
      schema: {
        tags: ['lifecycle'],
        summary:
          'Per queue: waiting, scheduled today, in progress, completed today, wait, EWT, agents',
      },
    },
    async (request) =>
      success(request.id, { items: await services.queueMonitor.forTenant(tenantOf(request)) }),
  );

  app.get(
    '/webhooks',
    {
      config: { roles: DEVELOPERS },
      schema: { tags: ['webhooks'], summary: 'Webhook subscriptions' },
    },
    async (request) =>
      success(request.id, { items: await services.webhooks.list(tenantOf(request)) }),
  );

  app.post(
    '/webhooks',
    {
      config: { roles: DEVELOPERS },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to callback events; the signing secret is shown once',
        body: Type.Object({
          url: Type.String({ minLength: 1, maxLength: 2000 }),
          events: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 20 }),
          ),
        }),
      },
    },
    async (request) =>
      success(
        request.id,
        await services.webhooks.subscribe(actorOf(request), request.body.url, request.body.events),
      ),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { roles: DEVELOPERS },
      schema: { tags: ['webhooks'], summary: 'Remove a subscription', params: IdParams },
    },
    async (request) => {
      await services.webhooks.remove(actorOf(request), request.params.id);
      return success(request.id, { id: request.params.id, deleted: true });
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { roles: DEVELOPERS },
      schema: {
        tags: ['webhooks'],
        summary: "A subscription's delivery log, newest first",
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
      },
    },
    async (request) =>
      success(request.id, {
        items: await services.webhooks.deliveries(
          tenantOf(request),
          request.params.id,
          request.query.limit,
        ),
      }),
  );
}
