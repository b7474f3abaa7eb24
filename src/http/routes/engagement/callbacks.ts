import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { asBoolean } from '../../lenient.js';
import {
  CallbackQueryBody,
  CallbackRef,
  CallbackView,
  CreateCallbackBody,
  IdBody,
  RescheduleBody,
} from '../../schemas/callbacks.js';

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
        response: { 200: envelope(CallbackRef) },
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
        response: { 200: envelope(CallbackRef) },
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
        response: { 200: envelope(CallbackView) },
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
        body: RescheduleBody,
        response: { 200: envelope(CallbackView) },
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
        body: CallbackQueryBody,
        response: { 200: envelope(Type.Object({ callbacks: Type.Array(CallbackView) })) },
      },
    },
    async (request) => {
      const rows = await services.booking.query(tenantOf(request), request.body);
      const callbacks = await Promise.all(rows.map((r) => services.queueInfo.view(r)));
      return success(request.id, { callbacks });
    },
  );
}
