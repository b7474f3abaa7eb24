import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import {
  QueueSettings,
  QueueSettingsPatch,
  checkQueueSettingsPatch,
  domainBodyValidator,
} from '../../schemas/queue-settings.js';
import { NameParams } from '../../schemas/common.js';
import type { AdminOptions } from './index.js';
import { CALLBACK_WRITERS, EVERYONE, TOOLS } from './roles.js';

// A settings body is checked by the domain, so every bad field is named at once.
const validatorCompiler = domainBodyValidator(checkQueueSettingsPatch);
const settingsResponses = { 200: envelope(QueueSettings) };

/** Queue (callback service) settings: the CALLBACK_SETTINGS rows. */
export async function queueRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/queues',
    {
      config: { roles: EVERYONE },
      schema: {
        tags: ['queues'],
        summary: 'List queues',
        response: {
          200: envelope(Type.Object({ items: Type.Array(QueueSettings) })),
        },
      },
    },
    async (request) =>
      success(request.id, { items: await services.queues.list(tenantOf(request)) }),
  );

  app.get(
    '/queues/:name',
    {
      config: { roles: EVERYONE },
      schema: {
        tags: ['queues'],
        summary: "One queue's settings",
        params: NameParams,
        response: settingsResponses,
      },
    },
    async (request) =>
      success(request.id, await services.queues.get(tenantOf(request), request.params.name)),
  );

  app.post(
    '/queues',
    {
      config: { roles: TOOLS },
      schema: {
        tags: ['queues'],
        summary: 'Create a queue; fields left out take their defaults',
        body: QueueSettingsPatch,
        response: settingsResponses,
      },
      validatorCompiler,
    },
    async (request) =>
      success(request.id, await services.queues.create(actorOf(request), request.body)),
  );

  app.patch(
    '/queues/:name',
    {
      config: { roles: TOOLS },
      schema: {
        tags: ['queues'],
        summary: "Change some of a queue's settings",
        params: NameParams,
        body: QueueSettingsPatch,
        response: settingsResponses,
      },
      validatorCompiler,
    },
    async (request) =>
      success(
        request.id,
        await services.queues.update(actorOf(request), request.params.name, request.body),
      ),
  );

  app.delete(
    '/queues/:name',
    {
      // Removes where callbacks wait (and may cancel them): a callback write, not a Developer's.
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags: ['queues'],
        summary:
          'Delete a queue; refused (409) while it has active callbacks unless cancelActive=true ' +
          'cancels the waiting ones (CANCELLED_BY_ADMIN)',
        params: NameParams,
        querystring: Type.Object({ cancelActive: Type.Boolean({ default: false }) }),
        response: {
          200: envelope(
            Type.Object({
              name: Type.String(),
              deleted: Type.Literal(true),
              /** With cancelActive: how many waiting callbacks were cancelled. */
              cancelled: Type.Optional(Type.Integer()),
            }),
          ),
        },
      },
    },
    async (request) => {
      const { cancelActive } = request.query;
      const cancelled = await services.lifecycle.deleteQueue(
        actorOf(request),
        request.params.name,
        cancelActive,
      );
      const deleted = { name: request.params.name, deleted: true as const };
      return success(request.id, cancelActive ? { ...deleted, cancelled } : deleted);
    },
  );
}
