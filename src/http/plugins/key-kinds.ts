import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
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

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Engagement routes: the methods a browser key may call the route with (none: server only). */
    browserKeyMethods?: ReadonlySet<string>;
  }
}

const QUERY = 'POST /callbacks/query';

const isBrowserKey = (request: FastifyRequest) =>
  request.principal?.kind === 'key' && request.principal.keyKind === 'browser';

/** A browser key may look up one phone number's callbacks, never list them all. */
function queryNeedsPhone(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
) {
  if (!isBrowserKey(request)) {
    done();
    return;
  }
  const body = request.body;
  const phone =
    typeof body === 'object' && body !== null && 'phoneNumber' in body
      ? body.phoneNumber
      : undefined;
  done(
    typeof phone !== 'string' || phone.trim() === ''
      ? refuse('query callbacks without a phoneNumber')
      : undefined,
  );
}

/**
 * Enforces the browser-key policy after the key is known (onRequest) and, for a query, once the
 * body is parsed. Each route's policy is worked out once, as it is registered.
 */
export function registerKeyKindPolicy(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const allowed = methods.filter((m) => BROWSER_KEY_ROUTES.has(routeKey(m, route.url)));
    route.config = { ...route.config, browserKeyMethods: new Set(allowed) };
    if (methods.some((m) => routeKey(m, route.url) === QUERY)) {
      route.preHandler = [route.preHandler ?? []].flat().concat(queryNeedsPhone);
    }
  });

  app.addHook('onRequest', (request, _reply, done) => {
    // An unknown path (no route, so no policy) answers 404 as for any key.
    const allowed = request.routeOptions.config.browserKeyMethods;
    if (
      allowed === undefined ||
      request.method === 'OPTIONS' ||
      !isBrowserKey(request) ||
      allowed.has(request.method)
    ) {
      done();
      return;
    }
    done(refuse(`call ${request.method} ${request.routeOptions.url?.slice(PREFIX.length) ?? ''}`));
  });
}
