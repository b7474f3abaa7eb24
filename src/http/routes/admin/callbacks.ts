import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { eventPayload } from '../../../services/event-writer.js';
import { formatUtc } from '../../../domain/time.js';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { toCsv } from '../../csv.js';
import type { AdminOptions } from './index.js';
import { callbackSummary } from '../../../services/callback-search.js';
import { CSV_COLUMNS, CallbackSearchQuery, searchWindow, toSearch } from './callback-search.js';
import { CALLBACK_WRITERS, EVERYONE } from './roles.js';
import { IdParams } from '../../schemas/common.js';
import {
  CallbackDetail,
  CallbackPage,
  CallbackSummary,
  ConsoleCreateCallbackBody,
  ConsoleRescheduleBody,
} from '../../schemas/callbacks.js';
const EXPORT_MAX_ROWS = 10_000;

/** The Callback tab: search, detail with history, create, reschedule, cancel and CSV export. */
export async function callbackAdminRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['callbacks-admin'];

  const tenantZone = async (tenantId: string) => (await services.tenants.get(tenantId)).timezone;

  app.get(
    '/callbacks',
    {
      config: { roles: EVERYONE },
      schema: {
        tags,
        summary: 'Callbacks of a time range (created or desired time), newest first',
        querystring: CallbackSearchQuery,
        response: { 200: envelope(CallbackPage) },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request);
      const timezone = await tenantZone(tenantId);
      const now = services.clock.now();
      const window = searchWindow(request.query, now, timezone);
      const limit = request.query.limit;
      const found = await services.callbackSearch.search(
        tenantId,
        toSearch(request.query, window, limit),
      );
      return success(request.id, {
        ...found,
        from: formatUtc(window.from),
        to: formatUtc(window.to),
        now: formatUtc(now),
        timezone,
      });
    },
  );

  app.get(
    '/callbacks/export.csv',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags,
        summary: `The callbacks of a search as CSV (at most ${EXPORT_MAX_ROWS} rows)`,
        querystring: CallbackSearchQuery,
        response: {
          200: {
            description: 'The callbacks as CSV, one header row then one row per callback',
            content: { 'text/csv': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const window = searchWindow(request.query, services.clock.now(), await tenantZone(tenantId));
      const { items: rows } = await services.callbackSearch.search(
        tenantId,
        toSearch(request.query, window, EXPORT_MAX_ROWS),
      );
      await services.audit.record(actorOf(request), 'callback.export', tenantId, undefined, {
        query: request.query,
        rows: rows.length,
      });
      const stamp = formatUtc(window.from).slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="callbacks-${stamp}.csv"`)
        .send(toCsv(CSV_COLUMNS, rows));
    },
  );

  app.get(
    '/callbacks/:id',
    {
      config: { roles: EVERYONE },
      schema: {
        tags,
        summary: 'One callback with its history',
        params: IdParams,
        response: { 200: envelope(CallbackDetail) },
      },
    },
    async (request) => {
      return success(
        request.id,
        await services.callbackSearch.detail(tenantOf(request), request.params.id),
      );
    },
  );

  app.post(
    '/callbacks',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags,
        summary: 'Book a callback from the console (immediate without desiredTime)',
        body: ConsoleCreateCallbackBody,
        response: { 200: envelope(CallbackSummary) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await services.booking.create(
        actor.tenantId,
        { ...request.body, channel: 'console' },
        'staff',
      );
      await services.audit.record(actor, 'callback.create', row.id, undefined, eventPayload(row));
      return success(request.id, callbackSummary(row));
    },
  );

  app.post(
    '/callbacks/:id/reschedule',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags,
        summary: 'Move a waiting callback to another time',
        params: IdParams,
        body: ConsoleRescheduleBody,
        response: { 200: envelope(CallbackSummary) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const before = await services.booking.get(actor.tenantId, request.params.id);
      const row = await services.booking.reschedule(
        actor.tenantId,
        request.params.id,
        request.body.desiredTime,
        request.body.alwaysCheckCapacity,
      );
      await services.audit.record(
        actor,
        'callback.reschedule',
        row.id,
        eventPayload(before),
        eventPayload(row),
      );
      return success(request.id, callbackSummary(row));
    },
  );

  app.post(
    '/callbacks/:id/cancel',
    {
      config: { roles: CALLBACK_WRITERS },
      schema: {
        tags,
        summary: 'Cancel a callback (reason CANCELLED_BY_ADMIN)',
        params: IdParams,
        response: { 200: envelope(CallbackSummary) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await services.booking.cancel(
        actor.tenantId,
        request.params.id,
        'CANCELLED_BY_ADMIN',
      );
      await services.audit.record(actor, 'callback.cancel', row.id, undefined, eventPayload(row));
      return success(request.id, callbackSummary(row));
    },
  );
}
