import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../../domain/errors.js';
import { SESSION_COOKIE, principalOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { Session } from '../../schemas/access.js';
import { Username } from '../../schemas/common.js';
import type { AdminOptions } from './index.js';

const LOGIN_ATTEMPTS_PER_MINUTE = 10;

/** Login, logout and "who am I" for the console. */
export async function sessionRoutes(fastify: FastifyInstance, { services, config }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const idleTimeoutSeconds = config.sessionIdleMinutes * 60;

  app.post(
    '/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: LOGIN_ATTEMPTS_PER_MINUTE,
          timeWindow: '1 minute',
          keyGenerator: (req) => req.ip,
        },
      },
      schema: {
        tags: ['admin'],
        summary: 'Log in to the console',
        body: Type.Object({
          tenant: Type.String({ minLength: 1, maxLength: 63 }),
          username: Username,
          password: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: { 200: envelope(Session) },
      },
    },
    async (request, reply) => {
      const { tenant, username, password } = request.body;
      const { token, user } = await services.access.login(tenant, username, password);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookies,
      });
      return success(request.id, {
        tenant: user.tenantId,
        username: user.username,
        role: user.role,
        idleTimeoutSeconds,
        timezone: (await services.tenants.get(user.tenantId)).timezone,
      });
    },
  );

  app.post(
    '/logout',
    {
      config: { public: true },
      schema: {
        tags: ['admin'],
        summary: 'Log out',
        response: { 200: envelope(Type.Object({})) },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token !== undefined) await services.access.logout(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return success(request.id, {});
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags: ['admin'],
        summary: 'The logged-in user',
        response: { 200: envelope(Session) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (p.kind !== 'user') throw new AppError('NOT_AUTHENTICATED', 'Not a console session');
      return success(request.id, {
        tenant: p.tenantId,
        username: p.user.username,
        role: p.user.role,
        idleTimeoutSeconds,
        timezone: (await services.tenants.get(p.tenantId)).timezone,
      });
    },
  );
}
