import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isAppError } from '../../../domain/errors.js';
import { normalizePhoneNumber } from '../../../domain/phone.js';
import { mergeQueueSettings } from '../../../domain/queue-settings.js';
import { dayStart, formatUtc, plainDateOf } from '../../../domain/time.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { NameParams } from '../../schemas/common.js';
import { NumberCheck, SlotReport } from '../../schemas/queue-tools.js';
import type { AdminOptions } from './index.js';
import { EVERYONE, TOOLS } from './roles.js';

/** Per-queue helpers of the console: booked-vs-capacity slots and the number-rule tester. */
export async function queueToolRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/queues/:name/slots',
    {
      config: { roles: EVERYONE },
      schema: {
        tags: ['queues'],
        summary: 'Booked versus capacity of every slot from now to the end of the Nth local day',
        params: NameParams,
        querystring: Type.Object({
          days: Type.Integer({ minimum: 1, maximum: 31, default: 7 }),
        }),
        response: { 200: envelope(SlotReport) },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request);
      const settings = await services.queues.get(tenantId, request.params.name);
      const now = services.clock.now();
      const tz = settings.timezone;
      const endMs = dayStart(plainDateOf(now, tz).add({ days: request.query.days }), tz);
      const open = (
        await services.queueInfo.availability(tenantId, settings.name, {
          startMs: now,
          endMs,
          timezone: tz,
          reportBusy: true,
        })
      ).build();
      return success(request.id, {
        timezone: open.timezone,
        durationMin: open.durationMin,
        // The period covered, so a chart can show closed days and hours as gaps.
        from: formatUtc(now),
        to: formatUtc(endMs),
        slots: open.slots.map((s) => ({
          utcTime: s.utcTime,
          localTime: s.localTime,
          capacity: s.total,
          free: s.capacity,
          booked: s.total - s.capacity,
        })),
      });
    },
  );

  app.post(
    '/queues/:name/test-number',
    {
      config: { roles: TOOLS },
      schema: {
        tags: ['queues'],
        summary: "Whether the queue's number rule (or a draft of it) accepts a phone number",
        params: NameParams,
        body: Type.Object({
          phoneNumber: Type.String({ maxLength: 64 }),
          numberRule: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
        response: { 200: envelope(NumberCheck) },
      },
    },
    async (request) => {
      const settings = await services.queues.get(tenantOf(request), request.params.name);
      const { phoneNumber, numberRule } = request.body;
      // A draft rule is validated like a settings change, so its errors name the field.
      const rule =
        numberRule === undefined
          ? settings.numberRule
          : mergeQueueSettings(settings, { numberRule }).numberRule;
      try {
        const e164 = normalizePhoneNumber(phoneNumber, rule);
        return success(request.id, { valid: true as const, e164 });
      } catch (e) {
        if (!isAppError(e)) throw e;
        return success(request.id, { valid: false as const, code: e.code, reason: e.message });
      }
    },
  );
}
