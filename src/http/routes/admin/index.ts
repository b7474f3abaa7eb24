import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { Config } from '../../../config.js';
import type { Services } from '../../../services/index.js';
import { adminGuard } from '../../plugins/auth.js';
import { registerErrorLog } from '../../plugins/error-log.js';
import { accessRoutes } from './access.js';
import { callInAdminRoutes } from './call-in.js';
import { callbackAdminRoutes } from './callbacks.js';
import { credentialRoutes } from './credentials.js';
import { developerRoutes } from './developer.js';
import { lifecycleRoutes } from './lifecycle.js';
import { queueRoutes } from './queues.js';
import { queueToolRoutes } from './queue-tools.js';
import type { RememberedBodies } from '../../remembered.js';
import { queueCheckRoutes } from './queue-check.js';
import { sessionRoutes } from './session.js';
import { toolsRoutes } from './tools.js';

export interface AdminOptions {
  services: Services;
  config: Config;
  /** The availability bodies the Engagement API keeps, which the queue check answers with too. */
  bodies: RememberedBodies;
}

/** The admin API of the console and of automation: sessions, roles, tenant administration. */
export async function adminApi(app: FastifyInstance, { services, config, bodies }: AdminOptions) {
  // Only these go down: the `prefix` this plugin was registered with must not nest.
  const opts = { services, config, bodies };
  // Only the console's session rides on a cookie: the other APIs skip parsing them on each request.
  await app.register(cookie);
  app.addHook('onRequest', adminGuard(services));
  registerErrorLog(app, services);
  await app.register(sessionRoutes, opts);
  await app.register(developerRoutes, opts);
  await app.register(accessRoutes, opts);
  await app.register(toolsRoutes, opts);
  await app.register(queueRoutes, opts);
  await app.register(callbackAdminRoutes, opts);
  await app.register(queueToolRoutes, opts);
  await app.register(lifecycleRoutes, opts);
  await app.register(credentialRoutes, opts);
  await app.register(callInAdminRoutes, opts);
  await app.register(queueCheckRoutes, opts);
}
