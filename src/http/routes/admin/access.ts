import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { KEY_KINDS, ROLES, SCOPES } from '../../../services/access.js';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { success } from '../../envelope.js';
import type { AdminOptions } from './index.js';
import { ADMIN_ONLY } from './roles.js';

const Username = Type.String({ minLength: 1, maxLength: 64 });
const RoleField = Type.Union(ROLES.map((r) => Type.Literal(r)));
// Length is checked by the password policy, which says what is wrong in words.
const Password = Type.String({ maxLength: 256 });

/** API keys, console users (Administrator) and the audit log. */
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
        summary:
          'Create an API key; the key is shown in this response only. An engagement key is a ' +
          'browser key unless kind is server; dispatch and admin keys are server keys.',
        body: Type.Object({
          scope: Type.Union(SCOPES.map((s) => Type.Literal(s))),
          kind: Type.Optional(Type.Union(KEY_KINDS.map((k) => Type.Literal(k)))),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        }),
      },
    },
    async (request) => {
      const { scope, name, kind } = request.body;
      return success(
        request.id,
        await services.access.createApiKey(actorOf(request), scope, name, kind),
      );
    },
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
    '/users',
    { config, schema: { tags: ['access'], summary: "The tenant's console users" } },
    async (request) =>
      success(request.id, { items: await services.access.listUsers(tenantOf(request)) }),
  );

  app.post(
    '/users',
    {
      config,
      schema: {
        tags: ['access'],
        summary:
          'Create a console user; without a password one is generated and shown in this response only',
        body: Type.Object({
          username: Username,
          role: RoleField,
          password: Type.Optional(Password),
        }),
      },
    },
    async (request) => {
      const { username, role, password } = request.body;
      const user = await services.access.createUser(actorOf(request), username, role, password);
      return success(request.id, user);
    },
  );

  app.patch(
    '/users/:username',
    {
      config,
      schema: {
        tags: ['access'],
        summary:
          "Change a user's role or password, or disable/enable them; every change ends the user's sessions",
        params: Type.Object({ username: Username }),
        body: Type.Object({
          role: Type.Optional(RoleField),
          password: Type.Optional(Password),
          disabled: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (request) => {
      const { role, password, disabled } = request.body;
      const user = await services.access.updateUser(actorOf(request), request.params.username, {
        ...(role === undefined ? {} : { role }),
        ...(password === undefined ? {} : { password }),
        ...(disabled === undefined ? {} : { disabled }),
      });
      return success(request.id, user);
    },
  );

  app.delete(
    '/users/:username',
    {
      config,
      schema: {
        tags: ['access'],
        summary: 'Delete a user and end their sessions',
        params: Type.Object({ username: Username }),
      },
    },
    async (request) => {
      await services.access.deleteUser(actorOf(request), request.params.username);
      return success(request.id, { username: request.params.username, deleted: true });
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
