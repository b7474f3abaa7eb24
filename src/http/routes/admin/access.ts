import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SCOPES } from '../../../services/access.js';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { success } from '../../envelope.js';
import type { AdminOptions } from './index.js';
import { ADMIN_ONLY } from './roles.js';

/** API keys (Administrator) and the audit log. */
export async function accessRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const config = { roles: ADMIN_ONLY };

  app.get(
    '/api-keys',
    { config, schema: { tags: ['access'], summary: "The tenant's API keys (never the keys)" } },
    async (request) =>
      success(request.id, { items: await services.access.listApiKeys(tenantOf(request)) }),
  );

  app.post(
    '/api-keys',
    {
      config,
      schema: {
        tags: ['access'],
        summary: 'Create an API key; the key is shown in this response only',
        body: Type.Object({
          scope: Type.Union(SCOPES.map((s) => Type.Literal(s))),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        }),
      },
    },
    async (request) =>
      success(
        request.id,
        await services.access.createApiKey(actorOf(request), request.body.scope, request.body.name),
      ),
  );

  app.delete(
    '/api-keys/:id',
    {
      config,
      schema: {
        tags: ['access'],
        summary: 'Revoke an API key',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request) => {
      await services.access.revokeApiKey(actorOf(request), request.params.id);
      return success(request.id, { id: request.params.id, revoked: true });
    },
  );

  app.get(
    '/audit',
    {
      config,
      schema: {
        tags: ['access'],
        summary: 'Audit log of admin actions, newest first',
        querystring: Type.Object({
          before: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
      },
    },
    async (request) => {
      const items = await services.audit.list(
        tenantOf(request),
        request.query.limit,
        request.query.before,
      );
      return success(request.id, { items });
    },
  );
}
