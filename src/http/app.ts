import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config.js';
import type { Services } from '../services/index.js';
import { API_PATH, catalogueTable, declareFailures } from './envelope.js';
import { documentedSchema } from './openapi.js';
import { correlationId, registerCorrelation } from './plugins/correlation.js';
import { registerErrorHandling } from './plugins/errors.js';
import {
  clientErrorHandler,
  frameworkErrors,
  registerConsoleOriginCheck,
  registerInputGuard,
  registerJsonGuard,
  registerRateLimits,
} from './plugins/limits.js';
import { registerMetrics } from './plugins/metrics.js';
import { adminApi } from './routes/admin/index.js';
import { dispatchApi } from './routes/dispatch/index.js';
import { engagementApi } from './routes/engagement/index.js';
import { healthRoutes } from './routes/health.js';
import { widgetRoutes } from './routes/widget.js';
import { RememberedBodies } from './remembered.js';

export interface AppOptions {
  config: Config;
  services: Services;
  /** pino options, or false for silence (tests); `stream` receives the log lines. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** Called for every route as it is registered (embedding, route audits in tests). */
  onRoute?: ((route: RouteOptions) => void) | undefined;
}

const BODY_LIMIT = 64 * 1024;

/** Where the built console lives: dist/public of the package, whether we run from src/ or dist/. */
function consoleDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = path.resolve(here, '..', '..', 'dist', 'public');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

/** Builds the whole HTTP application over the given services (nothing listens yet). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, services } = opts;
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    genReqId: (req) => correlationId(req.headers['x-correlation-id']),
    // One line per request at info would cost more than many requests themselves: refusals and
    // failures are logged (with the correlation ID) by the error handler, every request at debug.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'corrId' }),
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    ajv: { customOptions: { allErrors: false } },
    // A client that sends its request slowly, or not at all, is cut off (see LimitsConfig).
    requestTimeout: config.limits.requestTimeoutMs,
    connectionTimeout: config.limits.connectionTimeoutMs,
    http: {
      headersTimeout: config.limits.headersTimeoutMs,
      requestTimeout: config.limits.requestTimeoutMs,
      // Node checks those two timeouts on this beat (30 s by default): a tenth of the shorter.
      connectionsCheckingInterval: Math.max(50, Math.floor(config.limits.headersTimeoutMs / 10)),
    },
    frameworkErrors,
    clientErrorHandler,
  });

  app.addHook('onRoute', declareFailures);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  const web = consoleDir();
  registerCorrelation(app);
  registerErrorHandling(app, { spa: web !== undefined });
  registerJsonGuard(app);
  registerInputGuard(app);
  registerConsoleOriginCheck(app);
  registerRateLimits(app, services);
  const metrics = registerMetrics(app, services, {
    labelTenants: config.metricsToken !== undefined,
  });

  // The browser-hardening headers are for the console and the docs; API answers are JSON for
  // programs, and building a CSP header for each of them is a measurable share of their cost.
  app.addHook('onRoute', (route) => {
    if (API_PATH.test(route.url)) route.helmet = false;
  });
  await app.register(helmet, {
    // HSTS and upgrade-insecure-requests only make sense behind HTTPS.
    hsts: config.secureCookies,
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: config.secureCookies ? [] : null,
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    transform: documentedSchema,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenCallback API',
        version: '1.0.0',
        description:
          'GES-compatible Engagement API v3 (`x-api-key`), dispatch API and admin API.\n\n' +
          'Every response carries `x-correlation-id`. Error codes:\n\n' +
          '| code | HTTP | name | message |\n|---|---|---|---|\n' +
          catalogueTable(),
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          session: { type: 'apiKey', in: 'cookie', name: 'oc_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { services, metrics, metricsToken: config.metricsToken });
  // An eighth of the queues' memory for the availability answers sent most recently, uncompressed
  // (services/index.ts shares out the rest).
  const bodies = new RememberedBodies(config.queueMemoryBytes / 8);
  await app.register(engagementApi, { prefix: '/engagement/v3', services, bodies });
  await app.register(adminApi, { prefix: '/admin/v1', services, config, bodies });
  await app.register(dispatchApi, { prefix: '/dispatch/v1', services });
  await app.register(widgetRoutes);

  if (web) await app.register(fastifyStatic, { root: web, prefix: '/', wildcard: false });
  return app;
}
