import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { KeyKind, Role, Scope, SessionUser } from '../../services/access.js';
import type { Actor } from '../../services/audit.js';
import type { Services } from '../../services/index.js';

/** Who is calling: an API key of a tenant, or a console user's session. */
export type Principal =
  | { kind: 'key'; tenantId: string; keyId: string; scope: Scope; keyKind: KeyKind }
  | { kind: 'user'; tenantId: string; user: SessionUser };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Console roles allowed on an admin route (an admin-scope key counts as Administrator). */
    roles?: readonly Role[];
    /** Admin routes that need no login (the login itself). */
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'oc_session';

/** The authenticated principal, or 40101 (routes behind an auth hook always have one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('MISSING_API_KEY');
  return request.principal;
}

/** The tenant of the caller. */
export const tenantOf = (request: FastifyRequest): string => principalOf(request).tenantId;

/** The caller as the audit log names it. */
export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return p.kind === 'user'
    ? { tenantId: p.tenantId, name: `user:${p.user.username}` }
    : { tenantId: p.tenantId, name: `key:${p.keyId}` };
}

/** Resolves `x-api-key` to a tenant, or throws 40101/40102 (and 40302 for a key of the wrong scope). */
export async function authenticateKey(
  services: Services,
  request: FastifyRequest,
  allowed: readonly Scope[],
): Promise<Principal> {
  const header = request.headers['x-api-key'];
  const key = typeof header === 'string' ? header.trim() : '';
  if (key === '') throw new AppError('MISSING_API_KEY');
  const check = await services.access.checkApiKey(key);
  if (!check.valid) {
    throw new AppError(
      'INVALID_API_KEY',
      check.reason === 'revoked' ? 'API key has been revoked' : 'Invalid API key',
    );
  }
  if (check.scope !== 'admin' && !allowed.includes(check.scope)) {
    throw new AppError('FORBIDDEN', `An API key with the ${check.scope} scope cannot call this`);
  }
  return {
    kind: 'key',
    tenantId: check.tenantId,
    keyId: check.keyId,
    scope: check.scope,
    keyKind: check.kind,
  };
}

/** Admin API guard: a live session (or an admin-scope key) whose role the route allows. */
export function adminGuard(services: Services) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const config = request.routeOptions.config;
    if (config.public === true) return;
    if (request.headers['x-api-key'] !== undefined) {
      request.principal = await authenticateKey(services, request, ['admin']);
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    const user = token === undefined ? undefined : await services.access.resumeSession(token);
    if (!user) throw new AppError('NOT_AUTHENTICATED');
    request.principal = { kind: 'user', tenantId: user.tenantId, user };
    const roles = config.roles;
    if (roles !== undefined && !roles.includes(user.role)) {
      throw new AppError('FORBIDDEN', `The ${user.role} role cannot do this`);
    }
  };
}
