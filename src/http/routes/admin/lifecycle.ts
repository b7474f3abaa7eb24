import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { CallbackStates } from '../../schemas/callbacks.js';
import { IdParams, NameParams, PhoneNumber, ServiceName } from '../../schemas/common.js';
import {
  AdminJob,
  CreatedWebhook,
  EventType,
  QueueFiguresList,
  Webhook,
  WebhookDelivery,
} from '../../schemas/operations.js';
import type { AdminOptions } from './index.js';
import { CALLBACK_WRITERS, DEVELOPERS, EVERYONE } from './roles.js';

// Whoever may start a purge or a bulk cancel may follow it.
const JOB_READERS = CALLBACK_WRITERS;

/** Purge now, bulk cancel, queue statistics and webhook subscriptions. */
export async function lifecycleRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/queues/:name/purge',
    {
      // Completes every waiting callback: a callback write, like cancel (not for Developers).
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags: ['lifecycle'],
        summary:
          'Start purging a queue: every waiting callback completes PURGED. Answers 202 with the job to follow at GET /jobs/{id}',
        params: NameParams,
        response: { 202: envelope(AdminJob) },
      },
    },
    async (request, reply) => {
      const job = await services.adminJobs.startPurge(actorOf(request), request.params.name);
      return reply.code(202).send(success(request.id, job));
    },
  );

  app.get(
    '/queues/:name/purge',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags: ['lifecycle'],
        summary: 'What purging the queue now would take: how many callbacks wait in it',
        params: NameParams,
        response: {
          200: envelope(Type.Object({ serviceName: Type.String(), waiting: Type.Integer() })),
        },
      },
    },
    async (request) => {
      const filter = await services.lifecycle.purgeSelection(
        tenantOf(request),
        request.params.name,
      );
      const waiting = await services.lifecycle.countSelected(filter);
      return success(request.id, {
        serviceName: filter.serviceName ?? request.params.name,
        waiting,
      });
    },
  );

  app.post(
    '/callbacks/bulk-cancel',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags: ['lifecycle'],
        summary:
          'Start cancelling waiting callbacks by ids or by filter (CANCELLED_BY_ADMIN). Answers 202 with the job to follow at GET /jobs/{id}',
        body: Type.Object({
          ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
          serviceName: Type.Optional(ServiceName),
          states: Type.Optional(CallbackStates),
          phoneNumber: Type.Optional(PhoneNumber),
        }),
        response: { 202: envelope(AdminJob) },
      },
    },
    async (request, reply) => {
      const job = await services.adminJobs.startBulkCancel(actorOf(request), request.body);
      return reply.code(202).send(success(request.id, job));
    },
  );

  app.get(
    '/jobs/:id',
    {
      config: { roles: JOB_READERS },
      schema: {
        tags: ['lifecycle'],
        summary:
          'A purge or bulk-cancel job: state (queued, running, succeeded, failed), done and total',
        params: IdParams,
        response: { 200: envelope(AdminJob) },
      },
    },
    async (request) =>
      success(request.id, await services.adminJobs.get(tenantOf(request), request.params.id)),
  );

  app.get(
    '/stats/queues',
    {
      config: { roles: EVERYONE },
      schema: {
        tags: ['lifecycle'],
        summary:
          'Per queue: waiting, scheduled today, in progress, completed today, wait, EWT, agents; asOf the time of the figures',
        response: { 200: envelope(QueueFiguresList) },
      },
    },
    async (request) => {
      const asOf = new Date(services.clock.now()).toISOString();
      return success(request.id, {
        items: await services.queueMonitor.forTenant(tenantOf(request)),
        asOf,
      });
    },
  );

  app.get(
    '/webhooks',
    {
      config: { roles: DEVELOPERS },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook subscriptions',
        response: { 200: envelope(Type.Object({ items: Type.Array(Webhook) })) },
      },
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
          events: Type.Optional(Type.Array(EventType, { minItems: 1, maxItems: 20 })),
        }),
        response: { 200: envelope(CreatedWebhook) },
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
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a subscription',
        params: IdParams,
        response: {
          200: envelope(Type.Object({ id: Type.String(), deleted: Type.Literal(true) })),
        },
      },
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
        response: { 200: envelope(Type.Object({ items: Type.Array(WebhookDelivery) })) },
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
