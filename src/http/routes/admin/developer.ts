import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../../domain/errors.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { Cursor } from '../../schemas/common.js';
import { ErrorDetail, ErrorPage } from '../../schemas/errors-log.js';
import type { AdminOptions } from './index.js';
import { DEVELOPERS } from './roles.js';

/** An ISO 8601 instant of a query parameter as epoch ms, or 40001 naming the parameter. */
function instant(name: string, value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new AppError('INVALID_PARAMETER', `${name}: "${value}" is not an ISO 8601 date and time`);
  }
  return ms;
}

/** The Developer tab: error log, API key validation, allowed CORS domains. */
export async function developerRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const config = { roles: DEVELOPERS };

  app.get(
    '/errors',
    {
      config,
      schema: {
        tags: ['developer'],
        summary:
          'Most recent Engagement API errors, newest first; narrowed by correlation ID prefix, path prefix, status, code and time',
        querystring: Type.Object({
          corrId: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description: 'The correlation ID or its beginning (any case)',
            }),
          ),
          path: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 512,
              description: 'The request URL starts with this, e.g. /engagement/v3/callbacks/create',
            }),
          ),
          status: Type.Optional(
            Type.String({
              pattern: '^[1-5]([0-9]{2}|xx)$',
              description: 'HTTP status, or a class such as 4xx',
            }),
          ),
          code: Type.Optional(
            Type.Integer({ minimum: 10000, maximum: 59999, description: 'Catalogue code' }),
          ),
          from: Type.Optional(
            Type.String({ maxLength: 40, description: 'Logged at or after (ISO 8601)' }),
          ),
          to: Type.Optional(
            Type.String({ maxLength: 40, description: 'Logged before (ISO 8601)' }),
          ),
          before: Type.Optional(Cursor),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: envelope(ErrorPage) },
      },
    },
    async (request) => {
      const { corrId, path, status, code, from, to, before, limit } = request.query;
      const statusRange =
        status === undefined
          ? {}
          : status.endsWith('xx')
            ? { statusFrom: Number(status[0]) * 100, statusTo: Number(status[0]) * 100 + 99 }
            : { statusFrom: Number(status), statusTo: Number(status) };
      const page = await services.errors.list(tenantOf(request), {
        limit,
        ...(before === undefined ? {} : { before }),
        ...(corrId === undefined || corrId.trim() === '' ? {} : { corrIdPrefix: corrId.trim() }),
        ...(path === undefined || path.trim() === '' ? {} : { pathPrefix: path.trim() }),
        ...statusRange,
        ...(code === undefined ? {} : { code }),
        ...(from === undefined ? {} : { from: instant('from', from) }),
        ...(to === undefined ? {} : { to: instant('to', to) }),
      });
      return success(request.id, page);
    },
  );

  app.get(
    '/errors/:id',
    {
      config,
      schema: {
        tags: ['developer'],
        summary: 'One error with its redacted request and its response',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: envelope(ErrorDetail) },
      },
    },
    async (request) => {
      const detail = await services.errors.get(tenantOf(request), request.params.id);
      if (!detail) throw new AppError('NOT_FOUND', `No error ${request.params.id}`);
      return success(request.id, detail);
    },
  );

  app.post(
    '/api-keys/validate',
    {
      config,
      schema: {
        tags: ['developer'],
        summary: 'Whether a key is a valid API key of this tenant, and its scope and kind',
        body: Type.Object({ key: Type.String({ maxLength: 512 }) }),
        response: {
          200: envelope(
            Type.Object({
              valid: Type.Boolean(),
              message: Type.String(),
              scope: Type.Optional(Type.String()),
              kind: Type.Optional(Type.String()),
            }),
          ),
        },
      },
    },
    async (request) => {
      const check = await services.access.validateKeyForTenant(tenantOf(request), request.body.key);
      if (!check.valid) return success(request.id, { valid: false, message: 'Invalid API Key' });
      // Scope and kind, because a valid dispatch key is still refused by the Engagement API.
      const { scope, kind } = check;
      return success(request.id, {
        valid: true,
        message: `Valid API Key — ${scope}, ${kind}`,
        scope,
        kind,
      });
    },
  );

  app.get(
    '/cors-origins',
    {
      config,
      schema: {
        tags: ['developer'],
        summary: 'Allowed CORS domains (read-only; the operator manages them)',
        response: {
          200: envelope(
            Type.Object({
              items: Type.Array(
                Type.Object({
                  origin: Type.String(),
                  source: Type.String(),
                  createdAt: Type.String(),
                }),
              ),
            }),
          ),
        },
      },
    },
    async (request) => {
      const origins = await services.tenants.listOrigins(tenantOf(request));
      return success(request.id, {
        items: origins.map((o) => ({ ...o, createdAt: new Date(o.createdAt).toISOString() })),
      });
    },
  );
}
