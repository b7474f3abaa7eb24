import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { PUSH_CHANNELS, type PushChannel } from '../../../services/push.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { LenientBoolean, asBoolean } from '../../lenient.js';

const Data = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1024 }), {
  maxProperties: 20,
});

/**
 * GES's contract (engagement-client-js 9.0.18 NotificationPublishParms: channel, target, event,
 * validate_only) and ours (channel, deviceToken, title, body, data) in one schema, so that a
 * missing field is named rather than reported as "matches neither shape".
 */
const PublishBody = Type.Object({
  channel: Type.String({ minLength: 1, maxLength: 16 }),
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  // "The notification object as documented by Firebase": its JSON text, or the object itself.
  event: Type.Optional(
    Type.Union([Type.String({ maxLength: 4096 }), Type.Record(Type.String(), Type.Unknown())]),
  ),
  validate_only: Type.Optional(LenientBoolean),
  deviceToken: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  body: Type.Optional(Type.String({ maxLength: 2000 })),
  data: Type.Optional(Data),
});
type Publish = Static<typeof PublishBody>;

function channelOf(sent: string): PushChannel {
  const channel = PUSH_CHANNELS.find((c) => c === sent.toLowerCase());
  if (channel === undefined) {
    throw new AppError(
      'INVALID_PARAMETER',
      `channel "${sent.slice(0, 16)}" is not supported (use FCM or APNS)`,
    );
  }
  return channel;
}

/** Title, body and data of a GES `event` (a Firebase notification object, or its JSON text). */
function eventMessage(event: Publish['event']) {
  let value: unknown = event;
  if (typeof event === 'string') {
    try {
      value = JSON.parse(event) as unknown;
    } catch {
      return { title: event.slice(0, 200) || 'Notification', body: event };
    }
  }
  const root =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  // Firebase nests it as {notification: {title, body}, data}; a bare {title, body} is read too.
  const inner = root.notification;
  const note =
    typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : root;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const data =
    typeof root.data === 'object' && root.data !== null
      ? Object.fromEntries(
          Object.entries(root.data as Record<string, unknown>).map(([k, v]) => [
            k,
            typeof v === 'string' ? v : JSON.stringify(v),
          ]),
        )
      : undefined;
  return {
    title: (text(note.title) ?? 'Notification').slice(0, 200),
    body: (text(note.body) ?? '').slice(0, 2000),
    ...(data === undefined ? {} : { data }),
  };
}

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
        summary:
          "Send one push notification through the tenant's FCM or APNs credential: GES's " +
          '{channel, target, event, validate_only}, or {channel, deviceToken, title, body, data}',
        body: PublishBody,
        response: {
          200: envelope(
            Type.Object({
              name: Type.String({ description: 'the message id the provider reported (GES)' }),
              messageId: Type.String(),
            }),
          ),
        },
      },
    },
    async (request) => {
      const sent = await services.push.publish(tenantOf(request), publishInput(request.body));
      return success(request.id, { name: sent.messageId, messageId: sent.messageId });
    },
  );
}

/** The push to send, from either shape: GES's when it names a `target`, else ours. */
function publishInput(input: Publish) {
  const channel = channelOf(input.channel);
  if (input.target !== undefined) {
    return {
      channel,
      deviceToken: input.target,
      message: eventMessage(input.event),
      validateOnly: asBoolean(input.validate_only),
    };
  }
  // Ours spells the message out; GES's shape needs only its target.
  const missing = (field: string) =>
    new AppError('MISSING_PARAMETER', `Missing parameter: body.${field}`);
  if (input.deviceToken === undefined) throw missing('target');
  if (input.title === undefined) throw missing('title');
  if (input.body === undefined) throw missing('body');
  return {
    channel,
    deviceToken: input.deviceToken,
    message: {
      title: input.title,
      body: input.body,
      ...(input.data === undefined ? {} : { data: input.data }),
    },
  };
}
