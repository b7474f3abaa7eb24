import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { TenantConfigStatus } from '../../schemas/operations.js';
import type { AdminOptions } from './index.js';
import { TOOLS } from './roles.js';

/** The Tools tab: tenant configuration status and refetch. */
export async function toolsRoutes(app: FastifyInstance, { services, config }: AdminOptions) {
  const routeConfig = { roles: TOOLS };

  const status = async (tenantId: string) => ({
    ...(await services.tenantConfig.status(tenantId)),
    refreshMinutes: config.tenantConfigRefreshMinutes,
  });

  app.get(
    '/tenant-config',
    {
      config: routeConfig,
      schema: {
        tags: ['tools'],
        summary: 'When the tenant configuration was last refreshed',
        response: { 200: envelope(TenantConfigStatus) },
      },
    },
    async (request) => success(request.id, await status(tenantOf(request))),
  );

  app.post(
    '/tenant-config/refetch',
    {
      config: routeConfig,
      schema: {
        tags: ['tools'],
        summary: 'Re-read the tenant configuration now',
        response: { 200: envelope(TenantConfigStatus) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const result = await services.tenantConfig.refresh(actor.tenantId);
      // What this tenant may know of a failure, not the whole error (other tenants' parts): the
      // audit log is the tenant's to read.
      const { lastError } = await services.tenantConfig.status(actor.tenantId);
      await services.audit.record(actor, 'tenant-config.refetch', actor.tenantId, undefined, {
        ok: result.ok,
        error: lastError,
      });
      if (!result.ok) {
        throw new AppError(
          'INVALID_PARAMETER',
          `The tenant configuration could not be applied; the last good one stays: ${lastError ?? ''}`,
        );
      }
      return success(request.id, await status(actor.tenantId));
    },
  );
}
