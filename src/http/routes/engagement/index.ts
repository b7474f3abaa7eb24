import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { authenticateKey } from '../../plugins/auth.js';
import { checkOriginForTenant, registerEngagementCors } from '../../plugins/engagement-cors.js';
import { registerErrorLog } from '../../plugins/error-log.js';
import { registerKeyKindPolicy } from '../../plugins/key-kinds.js';
import { routeNotFound } from '../../plugins/errors.js';
import { callbackRoutes } from './callbacks.js';
import type { RememberedBodies } from '../../remembered.js';
import { availabilityRoutes } from './availability.js';
import { callInRoutes } from './call-in.js';
import { captchaRoutes } from './captcha.js';
import { captchaConfigRoutes } from './captcha-config.js';
import { notificationRoutes } from './notification.js';
import { statisticsRoutes } from './statistics.js';

/** The GES-compatible Engagement API v3: key auth, CORS, error log, then the routes. */
export async function engagementApi(
  app: FastifyInstance,
  opts: { services: Services; bodies: RememberedBodies },
) {
  const { services } = opts;
  registerEngagementCors(app, services);
  registerErrorLog(app, services);
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    const principal = await authenticateKey(services, request, ['engagement']);
    // Set first: a valid key refused for its Origin is still its tenant's error to see.
    request.principal = principal;
    checkOriginForTenant(request, reply, principal.tenantId);
  });
  registerKeyKindPolicy(app);
  await app.register(callbackRoutes, { services });
  await app.register(availabilityRoutes, { services, bodies: opts.bodies });
  await app.register(captchaRoutes, { services });
  await app.register(captchaConfigRoutes, { services });
  await app.register(notificationRoutes, { services });
  await app.register(statisticsRoutes, { services });
  await app.register(callInRoutes, { services });
  // Inside this scope, so an unknown Engagement path passes the key check and lands in the
  // tenant's error log like any other error.
  app.setNotFoundHandler(routeNotFound);
}
