import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { CallInGroup, CallInRecord } from '../../schemas/call-in.js';
import { Cursor, NameParams, ServiceName } from '../../schemas/common.js';
import type { AdminOptions } from './index.js';
import { ADMIN_ONLY, TOOLS } from './roles.js';

/** The Call-In tab: click-to-call-in groups and the request records. */
export async function callInAdminRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['call-in'];

  app.get(
    '/call-in/groups',
    {
      config: { roles: TOOLS },
      schema: {
        tags,
        summary: 'Call-in groups',
        response: { 200: envelope(Type.Object({ items: Type.Array(CallInGroup) })) },
      },
    },
    async (request) =>
      success(request.id, { items: await services.callIn.listGroups(tenantOf(request)) }),
  );

  app.get(
    '/call-in/groups/:name',
    {
      config: { roles: TOOLS },
      schema: {
        tags,
        summary: 'One call-in group',
        params: NameParams,
        response: { 200: envelope(CallInGroup) },
      },
    },
    async (request) =>
      success(request.id, await services.callIn.getGroup(tenantOf(request), request.params.name)),
  );

  app.put(
    '/call-in/groups/:name',
    {
      config: { roles: ADMIN_ONLY },
      schema: {
        tags,
        summary:
          'Create or replace a group: numbers (E.164), accessCodeEnabled, accessCodeLength (1–8), expirySeconds (30–86400)',
        params: NameParams,
        // The domain validates the group and names the field that is wrong.
        body: Type.Record(Type.String(), Type.Unknown()),
        response: { 200: envelope(CallInGroup) },
      },
    },
    async (request) =>
      success(
        request.id,
        await services.callIn.saveGroup(actorOf(request), request.params.name, request.body),
      ),
  );

  app.delete(
    '/call-in/groups/:name',
    {
      config: { roles: ADMIN_ONLY },
      schema: {
        tags,
        summary: 'Delete a group (live requests still match until they expire)',
        params: NameParams,
        response: {
          200: envelope(Type.Object({ name: Type.String(), deleted: Type.Literal(true) })),
        },
      },
    },
    async (request) => {
      await services.callIn.deleteGroup(actorOf(request), request.params.name);
      return success(request.id, { name: request.params.name, deleted: true });
    },
  );

  app.get(
    '/call-in/requests',
    {
      config: { roles: TOOLS },
      schema: {
        tags,
        summary: 'Call-in request records, newest first (status live, matched or expired)',
        querystring: Type.Object({
          groupName: Type.Optional(ServiceName),
          before: Type.Optional(Cursor),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: { 200: envelope(Type.Object({ items: Type.Array(CallInRecord) })) },
      },
    },
    async (request) =>
      success(request.id, {
        items: await services.callIn.listRequests(tenantOf(request), request.query),
      }),
  );
}
