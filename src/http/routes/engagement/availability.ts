import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { parseInstantIn } from '../../../domain/time.js';
import type { Services } from '../../../services/index.js';
import { checkTimeZone } from '../../../services/tenants.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import type { RememberedBodies } from '../../remembered.js';
import { LenientBoolean, asBoolean } from '../../lenient.js';
import { DateTimeText, ServiceName, TimeZoneName } from '../../schemas/common.js';

const EpochMs = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000 });
const ServiceParams = Type.Object({ serviceName: ServiceName });

/**
 * `start` (ISO) or `startMS` (epoch ms): whichever the client sent. An ISO time without a zone is
 * read in the request's `timezone`, UTC when there is none (GES).
 */
function instantOf(
  iso: string | undefined,
  ms: number | undefined,
  field: string,
  timezone: string | undefined,
) {
  if (iso !== undefined) {
    return parseInstantIn(iso, timezone === undefined ? 'UTC' : checkTimeZone(timezone), field);
  }
  return ms;
}

/** Availability, open-for, queue-status and estimated wait time (GES). */
export async function availabilityRoutes(
  fastify: FastifyInstance,
  { services, bodies }: { services: Services; bodies: RememberedBodies },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['availability'];

  app.get(
    '/callbacks/availability/:serviceName',
    {
      schema: {
        tags,
        summary: 'Open slots of a service',
        params: ServiceParams,
        querystring: Type.Object({
          start: Type.Optional(DateTimeText),
          startMS: Type.Optional(EpochMs),
          end: Type.Optional(DateTimeText),
          endMS: Type.Optional(EpochMs),
          numberOfDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
          timezone: Type.Optional(TimeZoneName),
          maxTimeSlots: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          reportBusy: Type.Optional(LenientBoolean),
        }),
        response: {
          200: envelope(
            Type.Object({
              slots: Type.Array(
                Type.Object({
                  utcTime: Type.String(),
                  localTime: Type.String(),
                  capacity: Type.Integer(),
                  total: Type.Integer(),
                }),
              ),
              durationMin: Type.Integer(),
              timezone: Type.String({ description: 'Zone of every localTime' }),
              serviceTimezone: Type.String({ description: "The queue's own zone" }),
            }),
          ),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const answer = await services.queueInfo.availability(
        tenantOf(request),
        request.params.serviceName,
        {
          startMs: instantOf(q.start, q.startMS, 'start', q.timezone),
          endMs: instantOf(q.end, q.endMS, 'end', q.timezone),
          numberOfDays: q.numberOfDays,
          timezone: q.timezone,
          maxTimeSlots: q.maxTimeSlots,
          reportBusy: asBoolean(q.reportBusy),
        },
      );
      // A week is ~50 KB of JSON: serializing it per request was most of the cost.
      return bodies.send(reply, request.id, answer);
    },
  );

  app.get(
    '/callbacks/open-for/:serviceName',
    {
      schema: {
        tags,
        summary: 'Seconds until the office closes (0 when closed)',
        params: ServiceParams,
        querystring: Type.Object({
          start: Type.Optional(DateTimeText),
          timezone: Type.Optional(TimeZoneName),
          queryImmediateOfferHours: Type.Optional(LenientBoolean),
          returnWithinImmediateOfferTime: Type.Optional(LenientBoolean),
          // The spelling of GES's administrator guide.
          returnWithinImmediateOffertime: Type.Optional(LenientBoolean),
          checkImmediateEnabled: Type.Optional(LenientBoolean),
        }),
        response: {
          200: envelope(
            Type.Object({
              openFor: Type.Integer(),
              immediateOfferHoursOpenFor: Type.Optional(Type.Integer()),
              isWithinImmediateOfferTime: Type.Optional(Type.Boolean()),
              isImmediateEnabled: Type.Optional(Type.Boolean()),
            }),
          ),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const data = await services.queueInfo.openFor(tenantOf(request), request.params.serviceName, {
        startMs: instantOf(q.start, undefined, 'start', q.timezone),
        timezone: q.timezone,
        queryImmediateOfferHours: asBoolean(q.queryImmediateOfferHours),
        returnWithinImmediateOfferTime:
          asBoolean(q.returnWithinImmediateOfferTime) ??
          asBoolean(q.returnWithinImmediateOffertime),
        checkImmediateEnabled: asBoolean(q.checkImmediateEnabled),
      });
      return success(request.id, data);
    },
  );

  app.get(
    '/callbacks/queue-status/:serviceName',
    {
      schema: {
        tags,
        summary: 'EWT and whether immediate and scheduled callbacks may be offered now',
        params: ServiceParams,
        response: {
          200: envelope(
            Type.Object({
              ewt: Type.Integer(),
              offerImmediateCallback: Type.Boolean(),
              offerScheduledCallback: Type.Boolean(),
            }),
          ),
        },
      },
    },
    async (request) =>
      success(
        request.id,
        await services.queueInfo.queueStatus(tenantOf(request), request.params.serviceName),
      ),
  );

  app.get(
    '/estimated-wait-time',
    {
      schema: {
        tags,
        summary: 'EWT of one or more virtual queues',
        querystring: Type.Object({
          'virtual-queues': Type.String({ minLength: 1, maxLength: 2000 }),
          mode: Type.Optional(
            Type.Union([Type.Literal('mode1'), Type.Literal('mode2'), Type.Literal('mode3')]),
          ),
          'include-calls-on-hold': Type.Optional(LenientBoolean),
        }),
        response: {
          200: envelope(
            Type.Array(
              Type.Object({
                virtualQueue: Type.String(),
                estimatedWaitTime: Type.Integer(),
                resultCode: Type.Integer(),
                message: Type.Optional(Type.String()),
              }),
            ),
          ),
        },
      },
    },
    async (request) => {
      const names = [
        ...new Set(
          request.query['virtual-queues']
            .split(',')
            .map((n) => n.trim())
            .filter((n) => n !== ''),
        ),
      ].slice(0, 50);
      const data = await services.queueInfo.estimatedWaitTimes(
        tenantOf(request),
        names,
        request.query.mode ?? 'mode2',
        asBoolean(request.query['include-calls-on-hold']) === true,
      );
      return success(request.id, data);
    },
  );
}
