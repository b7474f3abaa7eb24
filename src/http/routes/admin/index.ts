import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.js';
import type { Services } from '../../../services/index.js';
import { adminGuard } from '../../plugins/auth.js';
import { registerErrorLog } from '../../plugins/error-log.js';
import { accessRoutes } from './access.js';
import { developerRoutes } from './developer.js';
import { queueRoutes } from './queues.js';
import { sessionRoutes } from './session.js';
import { toolsRoutes } from './tools.js';

export interface AdminOptions {
  services: Services;
  config: Config;
}

/** The admin API of the console and of automation: sessions, roles, tenant administration. */
export async function adminApi(app: FastifyInstance, { services, config }: AdminOptions) {
  // Only these two go down: the `prefix` this plugin was registered with must not nest.
  const opts = { services, config };
  app.addHook('onRequest', adminGuard(services));
  registerErrorLog(app, services);
  await app.register(sessionRoutes, opts);
  await app.register(developerRoutes, opts);
  await app.register(accessRoutes, opts);
  await app.register(toolsRoutes, opts);
  await app.register(queueRoutes, opts);
}
