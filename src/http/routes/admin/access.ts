import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import {
  ApiKeyView,
  AuditEntry,
  CreatedApiKey,
  CreatedUser,
  KeyKindField,
  RoleField,
  ScopeField,
  UpdatedUser,
  UserView,
} from '../../schemas/access.js';
import { Cursor, Username } from '../../schemas/common.js';
import type { AdminOptions } from './index.js';
import { ADMIN_ONLY } from './roles.js';

// Length is checked by the password policy, which says what is wrong in words.
const Password = Type.String({ maxLength: 256 });

/** API keys, console users (Administrator) and the audit log. */
export async function accessRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const config = { roles: ADMIN_ONLY };

  app.get(
    '/api-keys',
    {
      config,
      schema: {
        tags: ['access'],
        summary: "The tenant's API keys (never the keys)",
        response: { 200: envelope(Type.Object({ items: Type.Array(ApiKeyView) })) },
      },
    },
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
          scope: ScopeField,
          kind: Type.Optional(KeyKindField),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: envelope(CreatedApiKey) },
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
        response: {
          200: envelope(Type.Object({ id: Type.String(), revoked: Type.Literal(true) })),
        },
      },
    },
    async (request) => {
      await services.access.revokeApiKey(actorOf(request), request.params.id);
      return success(request.id, { id: request.params.id, revoked: true });
    },
  );

  app.get(
    '/users',
    {
      config,
      schema: {
        tags: ['access'],
        summary: "The tenant's console users",
        response: { 200: envelope(Type.Object({ items: Type.Array(UserView) })) },
      },
    },
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
        response: { 200: envelope(CreatedUser) },
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
        response: { 200: envelope(UpdatedUser) },
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
        response: {
          200: envelope(Type.Object({ username: Type.String(), deleted: Type.Literal(true) })),
        },
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
          before: Type.Optional(Cursor),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: envelope(Type.Object({ items: Type.Array(AuditEntry) })) },
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
