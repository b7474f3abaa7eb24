import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../../domain/errors.js';
import { OUTCOMES, dialerView, type DispatchedCallback } from '../../../services/dispatch.js';
import type { Services } from '../../../services/index.js';
import { authenticateKey, principalOf, tenantOf } from '../../plugins/auth.js';
import { registerErrorLog } from '../../plugins/error-log.js';
import { envelope, success } from '../../envelope.js';
import { CallbackStateField } from '../../schemas/callbacks.js';
import { CallbackId, IdParams, Instant, ServiceName } from '../../schemas/common.js';

const Outcome = Type.Union(OUTCOMES.map((o) => Type.Literal(o)));
const MAX_WAIT_SECONDS = 30;
/** Most callbacks one claim, start or finish request may carry. */
const MAX_BATCH = 100;

const DispatchCallback = Type.Object({
  id: Type.String(),
  serviceName: Type.String(),
  phoneNumber: Type.String(),
  callbackState: CallbackStateField,
  callbackReason: Type.Optional(Type.String()),
  desiredTime: Instant,
  priority: Type.Integer(),
  attempts: Type.Integer(),
  userData: Type.Record(Type.String(), Type.String()),
  routePoint: Type.Optional(Type.String()),
  leaseExpiresAt: Type.Optional(Instant),
});

/** One callback of a batch: changed, or the catalogue error that kept it from changing. */
const BatchResult = Type.Object({
  id: Type.String(),
  callback: Type.Optional(DispatchCallback),
  error: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String() })),
});

/** A batch's answers in the order of the request. */
function batchResults(
  ids: readonly string[],
  results: ReadonlyMap<string, DispatchedCallback | AppError>,
) {
  return ids.map((id) => {
    const result = results.get(id);
    if (result === undefined || result instanceof AppError) {
      const error = result ?? new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`);
      return { id, error: { code: error.code, message: error.message } };
    }
    return { id, callback: dialerView(result) };
  });
}

/** The dialer holding a claim is the API key that claimed it. */
function dialerOf(request: Parameters<typeof principalOf>[0]): string {
  const p = principalOf(request);
  return p.kind === 'key' ? p.keyId : p.user.userId;
}

/** Dispatch API for dialers and agent desktops (API keys with the dispatch scope). */
export async function dispatchApi(fastify: FastifyInstance, { services }: { services: Services }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  registerErrorLog(app, services);
  app.addHook('onRequest', async (request) => {
    request.principal = await authenticateKey(services, request, ['dispatch']);
  });
  const tags = ['dispatch'];
  const one = { 200: envelope(DispatchCallback) };

  app.post(
    '/agents',
    {
      schema: {
        tags,
        summary: 'Report the agents logged in and available for a queue (feeds EWT)',
        body: Type.Object({
          serviceName: ServiceName,
          loggedIn: Type.Integer({ minimum: 0, maximum: 100_000 }),
          available: Type.Integer({ minimum: 0, maximum: 100_000 }),
        }),
        response: {
          200: envelope(
            Type.Object({
              serviceName: Type.String(),
              loggedIn: Type.Integer(),
              available: Type.Integer(),
            }),
          ),
        },
      },
    },
    async (request) => {
      const { serviceName, loggedIn, available } = request.body;
      await services.dispatch.reportAgents(tenantOf(request), serviceName, loggedIn, available);
      return success(request.id, { serviceName, loggedIn, available });
    },
  );

  app.post(
    '/claim',
    {
      schema: {
        tags,
        summary: 'Claim the next callback of one or more queues (→ ROUTING with a lease)',
        body: Type.Object({
          serviceNames: Type.Array(ServiceName, { minItems: 1, maxItems: 50 }),
          leaseSeconds: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
          waitSeconds: Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0 }),
          maxCallbacks: Type.Integer({
            minimum: 1,
            maximum: MAX_BATCH,
            default: 1,
            description: 'Claim up to this many at once (a dialer filling its free lines)',
          }),
        }),
        response: {
          200: envelope(
            Type.Object({
              callback: Type.Union([DispatchCallback, Type.Null()], {
                description: 'The first of `callbacks`, or null when none was waiting',
              }),
              callbacks: Type.Array(DispatchCallback, { description: 'In dialing order' }),
            }),
          ),
        },
      },
    },
    async (request, reply) => {
      const { serviceNames, leaseSeconds, waitSeconds, maxCallbacks } = request.body;
      // The connection closing before the answer means the dialer gave up: stop polling for it.
      const hungUp = new AbortController();
      reply.raw.once('close', () => hungUp.abort());
      const rows = await services.dispatch.claimMany(
        tenantOf(request),
        serviceNames,
        dialerOf(request),
        leaseSeconds,
        waitSeconds * 1000,
        maxCallbacks,
        hungUp.signal,
      );
      const callbacks = rows.map(dialerView);
      return success(request.id, { callback: callbacks[0] ?? null, callbacks });
    },
  );

  // Batch forms of start and finish: one transaction for many callbacks, each answered on its own.
  const batch = { 200: envelope(Type.Object({ results: Type.Array(BatchResult) })) };
  app.post(
    '/start',
    {
      schema: {
        tags,
        summary:
          'Start many held callbacks at once (ROUTING → PROCESSING), each answered on its own',
        body: Type.Object({ ids: Type.Array(CallbackId, { minItems: 1, maxItems: MAX_BATCH }) }),
        response: batch,
      },
    },
    async (request) => {
      const { ids } = request.body;
      const results = await services.dispatch.startMany(tenantOf(request), ids, dialerOf(request));
      return success(request.id, { results: batchResults(ids, results) });
    },
  );
  app.post(
    '/finish',
    {
      schema: {
        tags,
        summary: 'End many attempts at once with their outcomes, each answered on its own',
        body: Type.Object({
          results: Type.Array(Type.Object({ id: CallbackId, outcome: Outcome }), {
            minItems: 1,
            maxItems: MAX_BATCH,
          }),
        }),
        response: batch,
      },
    },
    async (request) => {
      const ids = request.body.results.map((r) => r.id);
      const results = await services.dispatch.finishMany(
        tenantOf(request),
        request.body.results,
        dialerOf(request),
      );
      return success(request.id, { results: batchResults(ids, results) });
    },
  );

  // Start and release take nothing but the callback the dialer holds.
  const holdAction = (action: 'start' | 'release', summary: string) =>
    app.post(
      `/callbacks/:id/${action}`,
      { schema: { tags, summary, params: IdParams, response: one } },
      async (request) =>
        success(
          request.id,
          dialerView(
            await services.dispatch[action](
              tenantOf(request),
              request.params.id,
              dialerOf(request),
            ),
          ),
        ),
    );
  holdAction('start', 'The call is being placed (ROUTING → PROCESSING)');
  holdAction('release', 'Give a claimed callback back to the queue, keeping its place');

  app.post(
    '/callbacks/:id/finish',
    {
      schema: {
        tags,
        summary: 'End an attempt with its outcome (no answer and busy retry until maxAttempts)',
        params: IdParams,
        body: Type.Object({ outcome: Outcome }),
        response: one,
      },
    },
    async (request) =>
      success(
        request.id,
        dialerView(
          await services.dispatch.finish(
            tenantOf(request),
            request.params.id,
            dialerOf(request),
            request.body.outcome,
          ),
        ),
      ),
  );
}
