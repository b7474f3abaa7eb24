import { AppError } from '../domain/errors.js';
import { passwordProblem } from '../security/common-passwords.js';
import type { Store } from '../store/index.js';
import type { UserRow } from '../store/repos/users.js';
import {
  generateApiKey,
  generatePassword,
  generateSessionToken,
  hashPassword,
  hashToken,
  newId,
  verifyDummyPassword,
  verifyPassword,
} from '../security/tokens.js';
import type { ApiKeyView, UpdatedUser, UserView } from '../http/schemas/access.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import type { Invalidation } from '../infra/invalidation.js';
import { errorContext, silentLogger, type Logger } from '../log.js';
import { TtlCache } from '../infra/ttl-cache.js';

export const ROLES = ['Administrator', 'Supervisor', 'Developer', 'Monitor'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (value: string): value is Role =>
  (ROLES as readonly string[]).includes(value);

export const SCOPES = ['engagement', 'dispatch', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const isScope = (value: string): value is Scope =>
  (SCOPES as readonly string[]).includes(value);

/**
 * A `browser` key is embedded in web pages, so anyone holds it: it may act only on what its
 * holder already knows (see the Engagement API's key policy). A `server` key does the rest.
 * Only engagement-scope keys can be browser keys; dispatch and admin keys are always server keys.
 */
export const KEY_KINDS = ['browser', 'server'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];
export const isKeyKind = (value: string): value is KeyKind =>
  (KEY_KINDS as readonly string[]).includes(value);

/** What a presented API key resolves to. */
export type KeyCheck =
  | { valid: true; tenantId: string; keyId: string; scope: Scope; kind: KeyKind }
  | { valid: false; reason: 'unknown' }
  | { valid: false; reason: 'revoked'; tenantId: string };

/** A logged-in console user. */
export interface SessionUser {
  tenantId: string;
  userId: string;
  username: string;
  role: Role;
}

const KEY_CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;

/** API keys, console users and sessions. */
export class AccessService {
  private readonly keyCache = new TtlCache<KeyCheck>(KEY_CACHE_MS);
  // A flood of bad keys would otherwise cost a query each to find where to log them.
  private readonly prefixCache = new TtlCache<string[]>(KEY_CACHE_MS);
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly sessions: { idleMs: number; maxMs: number },
    private readonly invalidation: Invalidation,
    private readonly log: Logger = silentLogger,
  ) {
    invalidation.on('api-keys', () => {
      this.keyCache.clear();
      this.prefixCache.clear();
    });
  }

  /**
   * Creates an API key; the key itself is returned once and only its hash is kept. Without a
   * kind, an engagement key is a browser key (safe by default) and the other scopes server keys.
   */
  async createApiKey(actor: Actor, scope: Scope, name = '', kind?: KeyKind) {
    const keyKind = kind ?? (scope === 'engagement' ? 'browser' : 'server');
    if (keyKind === 'browser' && scope !== 'engagement') {
      throw new AppError('INVALID_PARAMETER', `A ${scope}-scope key is always a server key`);
    }
    await this.requireTenant(actor.tenantId);
    const now = this.clock.now();
    const { key, prefix } = generateApiKey();
    const id = newId('key', now);
    await this.store.apiKeys.insert({
      id,
      tenant_id: actor.tenantId,
      name: name || `${scope} key`,
      scope,
      kind: keyKind,
      key_hash: hashToken(key),
      key_prefix: prefix,
      created_at: now,
      revoked_at: null,
      last_used_at: null,
    });
    await this.audit.record(actor, 'apikey.create', id, undefined, {
      scope,
      kind: keyKind,
      name,
      prefix,
    });
    const keyName = name || `${scope} key`;
    return { id, key, prefix, scope, kind: keyKind, name: keyName, createdAt: iso(now) };
  }

  /** A tenant's keys without their secrets (a row of an unknown scope or kind is no key). */
  async listApiKeys(tenantId: string): Promise<ApiKeyView[]> {
    const rows = await this.store.apiKeys.list(tenantId);
    return rows.flatMap(({ scope, kind, ...r }) =>
      isScope(scope) && isKeyKind(kind)
        ? [
            {
              id: r.id,
              name: r.name,
              scope,
              kind,
              prefix: r.key_prefix,
              createdAt: iso(r.created_at),
              revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
              lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
            },
          ]
        : [],
    );
  }

  /** Revokes a key of the actor's tenant; another tenant's key is not found. */
  async revokeApiKey(actor: Actor, keyId: string): Promise<void> {
    const revoked = await this.store.apiKeys.revoke(actor.tenantId, keyId, this.clock.now());
    if (!revoked) throw new AppError('NOT_FOUND', `No active API key ${keyId}`);
    await this.invalidation.publish('api-keys');
    await this.audit.record(actor, 'apikey.revoke', keyId);
  }

  /** Resolves a presented key to its tenant and scope (cached briefly). */
  async checkApiKey(key: string): Promise<KeyCheck> {
    const now = this.clock.now();
    // Remembered by the presented key itself: hashing it on every request was ~4 % of an
    // authenticated call. The cache lives only in this process's memory, like the request that
    // carried the key, and the store still keeps nothing but the hash.
    const check = await this.keyCache.getOrLoad(key, now, async () => {
      const row = await this.store.apiKeys.findByHash(hashToken(key));
      if (!row) return { valid: false, reason: 'unknown' } as const;
      if (row.revoked_at !== null) {
        return { valid: false, reason: 'revoked', tenantId: row.tenant_id } as const;
      }
      if (!isScope(row.scope) || !isKeyKind(row.kind)) {
        return { valid: false, reason: 'unknown' } as const;
      }
      return {
        valid: true,
        tenantId: row.tenant_id,
        keyId: row.id,
        scope: row.scope,
        kind: row.kind,
      } as const;
    });
    if (check.valid) this.touchKey(check.tenantId, check.keyId, now);
    return check;
  }

  // Last-use bookkeeping is coarse and off the request path: one write a minute per key.
  private touchKey(tenantId: string, keyId: string, now: number): void {
    const last = this.lastTouched.get(keyId) ?? 0;
    if (now - last < TOUCH_EVERY_MS) return;
    this.lastTouched.set(keyId, now);
    this.store.apiKeys
      .touch(tenantId, keyId, now)
      .catch((err: unknown) =>
        this.log.warn({ ...errorContext(err), tenantId, keyId }, 'recording an API key use failed'),
      );
  }

  /**
   * Whether `key` is an active key of `tenantId`, and then its scope and kind (the console's API
   * Key Validation). Another tenant's key is as invalid as an unknown one.
   */
  async validateKeyForTenant(
    tenantId: string,
    key: string,
  ): Promise<{ valid: false } | { valid: true; scope: Scope; kind: KeyKind }> {
    const check = await this.checkApiKey(key.trim());
    if (!check.valid || check.tenantId !== tenantId) return { valid: false };
    return { valid: true, scope: check.scope, kind: check.kind };
  }

  /**
   * Tenants a presented but invalid key may be shown to: those owning a key with its public
   * prefix (`ocb_` and six characters). Used to file a bad-key failure in the right error log.
   */
  async tenantsForKeyPrefix(key: string): Promise<{ prefix: string; tenants: string[] }> {
    const match = /^(ocb_[A-Za-z0-9_-]{6})_/.exec(key.trim());
    if (!match?.[1]) return { prefix: '', tenants: [] };
    const prefix = match[1];
    const tenants = await this.prefixCache.getOrLoad(prefix, this.clock.now(), () =>
      this.store.apiKeys.tenantsWithPrefix(prefix),
    );
    return { prefix, tenants };
  }

  /**
   * Creates or updates a console user; returns the password when one was generated. A changed
   * password or role ends the user's sessions, so the change holds at once everywhere.
   */
  async upsertUser(actor: Actor, username: string, role: Role, password?: string) {
    await this.requireTenant(actor.tenantId);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
      throw new AppError('INVALID_PARAMETER', 'username must be 1–64 letters, digits or ._@-');
    }
    if (password !== undefined) this.checkPassword(password, username);
    const secret = password ?? generatePassword();
    const now = this.clock.now();
    const existing = await this.store.users.findByUsername(actor.tenantId, username);
    if (existing && existing.role !== role) await this.keepAnAdministrator(existing, role);
    await this.store.users.upsert({
      id: existing?.id ?? newId('usr', now),
      tenant_id: actor.tenantId,
      username,
      password_hash: await hashPassword(secret),
      role,
      created_at: existing?.created_at ?? now,
      disabled_at: existing?.disabled_at ?? null,
    });
    // Every upsert sets a password, so an existing user's sessions always end.
    if (existing) await this.store.users.deleteUserSessions(actor.tenantId, existing.id);
    await this.audit.record(actor, existing ? 'user.update' : 'user.create', username, undefined, {
      role,
    });
    return { username, role, generatedPassword: password === undefined ? secret : undefined };
  }

  /** Creates a console user; an existing username is refused (40903), never overwritten. */
  async createUser(actor: Actor, username: string, role: Role, password?: string) {
    if (await this.store.users.findByUsername(actor.tenantId, username)) {
      throw new AppError('ALREADY_EXISTS', `User ${username} already exists`);
    }
    return this.upsertUser(actor, username, role, password);
  }

  /** A tenant's console users, never their password hashes (nor a row of an unknown role). */
  async listUsers(tenantId: string): Promise<UserView[]> {
    const rows = await this.store.users.list(tenantId);
    return rows.flatMap(({ role, ...r }) =>
      isRole(role)
        ? [
            {
              username: r.username,
              role,
              disabled: r.disabled_at !== null,
              createdAt: iso(r.created_at),
            },
          ]
        : [],
    );
  }

  /**
   * Changes a user's role, password or disabled flag; each ends the user's sessions. The last
   * active Administrator of a tenant cannot be demoted or disabled (nobody could undo it).
   */
  async updateUser(
    actor: Actor,
    username: string,
    change: { role?: Role; password?: string; disabled?: boolean },
  ): Promise<UpdatedUser> {
    const user = await this.userNamed(actor.tenantId, username);
    if (change.password !== undefined) this.checkPassword(change.password, username);
    const role = change.role ?? user.role;
    if (!isRole(role)) throw new AppError('CONFLICT', `User ${username} has an unknown role`);
    const disabled = change.disabled ?? user.disabled_at !== null;
    if (role !== user.role || (disabled && user.disabled_at === null)) {
      await this.keepAnAdministrator(user, disabled ? undefined : role);
    }
    if (role !== user.role) await this.store.users.setRole(actor.tenantId, user.id, role);
    if (change.password !== undefined) {
      await this.store.users.upsert({
        ...user,
        password_hash: await hashPassword(change.password),
      });
    }
    if (disabled !== (user.disabled_at !== null)) {
      await this.store.users.setDisabled(
        actor.tenantId,
        user.id,
        disabled ? this.clock.now() : null,
      );
    }
    await this.store.users.deleteUserSessions(actor.tenantId, user.id);
    await this.audit.record(actor, 'user.update', username, undefined, {
      role,
      disabled,
      passwordChanged: change.password !== undefined,
    });
    return { username, role, disabled };
  }

  /** Deletes a user and ends their sessions; the last active Administrator stays. */
  async deleteUser(actor: Actor, username: string): Promise<void> {
    const user = await this.userNamed(actor.tenantId, username);
    await this.keepAnAdministrator(user, undefined);
    await this.store.users.delete(actor.tenantId, user.id);
    await this.audit.record(actor, 'user.delete', username);
  }

  /** Checks a password and opens a session; the same error for unknown user and wrong password. */
  async login(tenantId: string, username: string, password: string) {
    const user = await this.store.users.findByUsername(tenantId, username);
    const ok = user
      ? await verifyPassword(user.password_hash, password)
      : await verifyDummyPassword(password);
    // A disabled user gets the same answer as a wrong password: nothing to probe.
    if (!user || !ok || !isRole(user.role) || user.disabled_at !== null) {
      throw new AppError('INVALID_CREDENTIALS');
    }
    const token = generateSessionToken();
    const now = this.clock.now();
    await this.store.users.insertSession({
      token_hash: hashToken(token),
      tenant_id: tenantId,
      user_id: user.id,
      created_at: now,
      last_seen_at: now,
    });
    await this.audit.record({ tenantId, name: `user:${username}` }, 'session.login', username);
    const sessionUser: SessionUser = { tenantId, userId: user.id, username, role: user.role };
    return { token, user: sessionUser };
  }

  /**
   * The user of a live session, sliding its idle window; undefined when idle too long, older
   * than the absolute lifetime, unknown, or its user is disabled.
   */
  async resumeSession(token: string): Promise<SessionUser | undefined> {
    const hash = hashToken(token);
    const session = await this.store.users.findSession(hash);
    if (!session) return undefined;
    const now = this.clock.now();
    if (
      now - session.last_seen_at > this.sessions.idleMs ||
      now - session.created_at > this.sessions.maxMs
    ) {
      await this.store.users.deleteSession(hash);
      return undefined;
    }
    const user = await this.store.users.get(session.tenant_id, session.user_id);
    if (!user || !isRole(user.role) || user.disabled_at !== null) return undefined;
    await this.store.users.touchSession(hash, now);
    return { tenantId: user.tenant_id, userId: user.id, username: user.username, role: user.role };
  }

  /** Ends a session. */
  async logout(token: string): Promise<void> {
    await this.store.users.deleteSession(hashToken(token));
  }

  /** Removes sessions past their idle timeout or their absolute lifetime. */
  pruneSessions(): Promise<number> {
    const now = this.clock.now();
    return this.store.users.deleteIdleSessions(
      now - this.sessions.idleMs,
      now - this.sessions.maxMs,
    );
  }

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblem(password, username);
    if (problem !== undefined) throw new AppError('INVALID_PARAMETER', problem);
  }

  private async userNamed(tenantId: string, username: string): Promise<UserRow> {
    const user = await this.store.users.findByUsername(tenantId, username);
    if (!user) throw new AppError('NOT_FOUND', `No user ${username}`);
    return user;
  }

  // Refuses a change that would leave the tenant without an active Administrator: `user` would
  // end up with `nextRole` (undefined: disabled or deleted).
  private async keepAnAdministrator(user: UserRow, nextRole: string | undefined): Promise<void> {
    if (user.role !== 'Administrator' || user.disabled_at !== null) return;
    if (nextRole === 'Administrator') return;
    const others = (await this.store.users.list(user.tenant_id)).filter(
      (u) => u.id !== user.id && u.role === 'Administrator' && u.disabled_at === null,
    );
    if (others.length === 0) {
      throw new AppError(
        'CONFLICT',
        "The tenant's last active Administrator cannot be demoted, disabled or deleted",
      );
    }
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.store.tenants.get(tenantId))) {
      throw new AppError('NOT_FOUND', `No tenant ${tenantId}`);
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
