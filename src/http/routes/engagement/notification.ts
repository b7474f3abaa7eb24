import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { PUSH_CHANNELS } from '../../../services/push.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, errorResponses, success } from '../../envelope.js';

/** Sends one push notification, to try the tenant's push setup. */
export async function notificationRoutes(
  fastify: FastifyInstance,
  { services }: { services: Services },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/notification/publish',
    {
      schema: {
        tags: ['push'],
        summary: "Send one push notification through the tenant's FCM or APNs credential",
        body: Type.Object({
          channel: Type.Union(PUSH_CHANNELS.map((c) => Type.Literal(c))),
          deviceToken: Type.String({ minLength: 1, maxLength: 4096 }),
          title: Type.String({ minLength: 1, maxLength: 200 }),
          body: Type.String({ maxLength: 2000 }),
          data: Type.Optional(
            Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1024 }), {
              maxProperties: 20,
            }),
          ),
        }),
        response: {
          200: envelope(Type.Object({ messageId: Type.String() })),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { channel, deviceToken, title, body, data } = request.body;
      const sent = await services.push.publish(tenantOf(request), {
        channel,
        deviceToken,
        message: { title, body, ...(data === undefined ? {} : { data }) },
      });
      return success(request.id, sent);
    },
  );
}
