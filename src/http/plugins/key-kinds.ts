import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';

/**
 * What a browser key may call on the Engagement API: what its holder already knows (a callback
 * id, a phone number, a queue name) and nothing that lists, matches or sends on the tenant's
 * behalf. Anything not listed, including routes added later, needs a server key (deny by default).
 * Paths are relative to /engagement/v3, with parameter names erased.
 */
export const BROWSER_KEY_ROUTES: ReadonlySet<string> = new Set([
  'POST /callbacks/create',
  'POST /callbacks/cancel',
  'POST /callbacks/retrieve',
  'POST /callbacks/reschedule',
  'POST /callbacks/query',
  'GET /callbacks/availability/:',
  'GET /callbacks/open-for/:',
  'GET /callbacks/queue-status/:',
  'GET /estimated-wait-time',
  'POST /captcha/verify',
  'GET /captcha/config',
  'POST /call-in/requests/create',
]);

const PREFIX = '/engagement/v3';

/** The policy key of a matched route: method and path with parameter names erased. */
export function routeKey(method: string, url: string): string {
  const path = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : url;
  return `${method === 'HEAD' ? 'GET' : method} ${path.replace(/:[^/]+/g, ':')}`;
}

function refuse(what: string): AppError {
  return new AppError('KEY_KIND_FORBIDDEN', `A browser API key cannot ${what}; use a server key`);
}

/**
 * Enforces the browser-key policy after the key is known (onRequest) and, for a query, once the
 * body is parsed: a browser key may look up one phone number's callbacks, never list them all.
 */
export function registerKeyKindPolicy(app: FastifyInstance): void {
  const browser = (request: FastifyRequest) =>
    request.principal?.kind === 'key' && request.principal.keyKind === 'browser';

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    // An unknown path answers 404 as for any key.
    if (url === undefined || request.method === 'OPTIONS' || !browser(request)) return;
    if (!BROWSER_KEY_ROUTES.has(routeKey(request.method, url))) {
      throw refuse(`call ${request.method} ${url.slice(PREFIX.length)}`);
    }
  });

  app.addHook('preHandler', async (request) => {
    if (
      !browser(request) ||
      routeKey(request.method, request.routeOptions.url ?? '') !== 'POST /callbacks/query'
    ) {
      return;
    }
    const body = request.body;
    const phone =
      typeof body === 'object' && body !== null && 'phoneNumber' in body
        ? body.phoneNumber
        : undefined;
    if (typeof phone !== 'string' || phone.trim() === '') {
      throw refuse('query callbacks without a phoneNumber');
    }
  });
}
