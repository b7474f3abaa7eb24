import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CALLBACK_STATES } from '../../../domain/booking.js';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, errorResponses, success } from '../../envelope.js';
import { LenientBoolean, asBoolean } from '../../lenient.js';

const Text = (max: number) => Type.String({ maxLength: max });
const IdBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CreateCallbackBody = Type.Object({
  serviceName: Type.String({ minLength: 1, maxLength: 64 }),
  phoneNumber: Type.String({ minLength: 1, maxLength: 40 }),
  desiredTime: Type.Optional(Text(40)),
  // Reporting only: the official clients send a sentence here by default, so an unknown value
  // means "derive from desiredTime" rather than an error.
  cbOfferType: Type.Optional(Text(256)),
  language: Type.Optional(Text(35)),
  inboundVQ: Type.Optional(Text(128)),
  offerThreshold: Type.Optional(Type.Union([Type.Number(), Text(32)])),
  channel: Type.Optional(Text(64)),
  offerTiming: Type.Optional(Text(64)),
  cbOriginationIxnId: Type.Optional(Text(128)),
  surveyRP: Type.Optional(Text(128)),
  routePoint: Type.Optional(Text(128)),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  userData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  captchaToken: Type.Optional(Text(8192)),
  pushChannel: Type.Optional(Text(32)),
  pushTarget: Type.Optional(Text(1024)),
  pushTargets: Type.Optional(
    Type.Array(Type.Object({ channel: Text(32), target: Text(1024) }), { maxItems: 10 }),
  ),
  alwaysCheckCapacity: Type.Optional(LenientBoolean),
});

const CallbackView = Type.Object({
  id: Type.String(),
  serviceName: Type.String(),
  desiredTime: Type.String(),
  callbackState: Type.String(),
  callbackReason: Type.Optional(Type.String()),
  phoneNumber: Type.String(),
  positionInQueue: Type.Optional(Type.Integer()),
  estimatedWaitTime: Type.Optional(Type.Integer()),
});

/** Create, cancel, retrieve, reschedule and query callbacks (GES paths, plus two of ours). */
export async function callbackRoutes(
  fastify: FastifyInstance,
  { services }: { services: Services },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['callbacks'];

  app.post(
    '/callbacks/create',
    {
      schema: {
        tags,
        summary: 'Book a callback',
        body: CreateCallbackBody,
        response: { 200: envelope(Type.Object({ id: Type.String() })), ...errorResponses },
      },
    },
    async (request) => {
      const { alwaysCheckCapacity, ...fields } = request.body;
      const row = await services.booking.create(tenantOf(request), {
        ...fields,
        alwaysCheckCapacity: asBoolean(alwaysCheckCapacity),
      });
      return success(request.id, { id: row.id });
    },
  );

  app.post(
    '/callbacks/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a callback',
        body: IdBody,
        response: { 200: envelope(Type.Object({ id: Type.String() })), ...errorResponses },
      },
    },
    async (request) => {
      const row = await services.booking.cancel(tenantOf(request), request.body.id);
      return success(request.id, { id: row.id });
    },
  );

  app.post(
    '/callbacks/retrieve',
    {
      schema: {
        tags,
        summary: 'One callback, with its place in the queue while it waits',
        body: IdBody,
        response: { 200: envelope(CallbackView), ...errorResponses },
      },
    },
    async (request) =>
      success(request.id, await services.queueInfo.retrieve(tenantOf(request), request.body.id)),
  );

  app.post(
    '/callbacks/reschedule',
    {
      schema: {
        tags,
        summary: 'Move a waiting callback to another time (beyond GES)',
        body: Type.Object({
          id: Type.String({ minLength: 1, maxLength: 64 }),
          desiredTime: Type.String({ minLength: 1, maxLength: 40 }),
          alwaysCheckCapacity: Type.Optional(LenientBoolean),
        }),
        response: { 200: envelope(CallbackView), ...errorResponses },
      },
    },
    async (request) => {
      const { id, desiredTime, alwaysCheckCapacity } = request.body;
      const row = await services.booking.reschedule(
        tenantOf(request),
        id,
        desiredTime,
        asBoolean(alwaysCheckCapacity),
      );
      return success(request.id, await services.queueInfo.view(row));
    },
  );

  app.post(
    '/callbacks/query',
    {
      schema: {
        tags,
        summary:
          'Callbacks by phone number, service and state (beyond GES; active ones by default)',
        body: Type.Object({
          phoneNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
          serviceName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          states: Type.Optional(
            Type.Array(Type.Union(CALLBACK_STATES.map((s) => Type.Literal(s))), { maxItems: 5 }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: {
          200: envelope(Type.Object({ callbacks: Type.Array(CallbackView) })),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const rows = await services.booking.query(tenantOf(request), request.body);
      const callbacks = await Promise.all(rows.map((r) => services.queueInfo.view(r)));
      return success(request.id, { callbacks });
    },
  );
}
