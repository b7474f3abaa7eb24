import { AppError } from '../domain/errors.js';
import type { Store } from '../store/index.js';
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
import type { Actor, AuditService } from './audit.js';
import type { Clock } from './clock.js';
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

/** What a presented API key resolves to. */
export type KeyCheck =
  | { valid: true; tenantId: string; keyId: string; scope: Scope }
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
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly sessionIdleMs: number,
    private readonly invalidation: Invalidation,
    private readonly log: Logger = silentLogger,
  ) {
    invalidation.on('api-keys', () => this.keyCache.clear());
  }

  /** Creates an API key; the key itself is returned once and only its hash is kept. */
  async createApiKey(actor: Actor, scope: Scope, name = '') {
    await this.requireTenant(actor.tenantId);
    const now = this.clock.now();
    const { key, prefix } = generateApiKey();
    const id = newId('key', now);
    await this.store.apiKeys.insert({
      id,
      tenant_id: actor.tenantId,
      name: name || `${scope} key`,
      scope,
      key_hash: hashToken(key),
      key_prefix: prefix,
      created_at: now,
      revoked_at: null,
      last_used_at: null,
    });
    await this.audit.record(actor, 'apikey.create', id, undefined, { scope, name, prefix });
    return { id, key, prefix, scope, name: name || `${scope} key`, createdAt: iso(now) };
  }

  /** A tenant's keys without their secrets. */
  async listApiKeys(tenantId: string) {
    const rows = await this.store.apiKeys.list(tenantId);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      scope: r.scope,
      prefix: r.key_prefix,
      createdAt: iso(r.created_at),
      revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
      lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
    }));
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
      if (!isScope(row.scope)) return { valid: false, reason: 'unknown' } as const;
      return { valid: true, tenantId: row.tenant_id, keyId: row.id, scope: row.scope } as const;
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

  /** Whether `key` is an active key of `tenantId` (the console's API Key Validation). */
  async validateKeyForTenant(tenantId: string, key: string): Promise<boolean> {
    const check = await this.checkApiKey(key.trim());
    return check.valid && check.tenantId === tenantId;
  }

  /** Creates or updates a console user; returns the password when one was generated. */
  async upsertUser(actor: Actor, username: string, role: Role, password?: string) {
    await this.requireTenant(actor.tenantId);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
      throw new AppError('INVALID_PARAMETER', 'username must be 1–64 letters, digits or ._@-');
    }
    if (password !== undefined && password.length < 8) {
      throw new AppError('INVALID_PARAMETER', 'password must be at least 8 characters');
    }
    const secret = password ?? generatePassword();
    const now = this.clock.now();
    const existing = await this.store.users.findByUsername(actor.tenantId, username);
    await this.store.users.upsert({
      id: existing?.id ?? newId('usr', now),
      tenant_id: actor.tenantId,
      username,
      password_hash: await hashPassword(secret),
      role,
      created_at: existing?.created_at ?? now,
    });
    await this.audit.record(actor, existing ? 'user.update' : 'user.create', username, undefined, {
      role,
    });
    return { username, role, generatedPassword: password === undefined ? secret : undefined };
  }

  /** Checks a password and opens a session; the same error for unknown user and wrong password. */
  async login(tenantId: string, username: string, password: string) {
    const user = await this.store.users.findByUsername(tenantId, username);
    const ok = user
      ? await verifyPassword(user.password_hash, password)
      : await verifyDummyPassword(password);
    if (!user || !ok || !isRole(user.role)) throw new AppError('INVALID_CREDENTIALS');
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

  /** The user of a live session, sliding its idle window; undefined when expired or unknown. */
  async resumeSession(token: string): Promise<SessionUser | undefined> {
    const hash = hashToken(token);
    const session = await this.store.users.findSession(hash);
    if (!session) return undefined;
    const now = this.clock.now();
    if (now - session.last_seen_at > this.sessionIdleMs) {
      await this.store.users.deleteSession(hash);
      return undefined;
    }
    const user = await this.store.users.get(session.tenant_id, session.user_id);
    if (!user || !isRole(user.role)) return undefined;
    await this.store.users.touchSession(hash, now);
    return { tenantId: user.tenant_id, userId: user.id, username: user.username, role: user.role };
  }

  /** Ends a session. */
  async logout(token: string): Promise<void> {
    await this.store.users.deleteSession(hashToken(token));
  }

  /** Removes sessions past their idle timeout. */
  pruneSessions(): Promise<number> {
    return this.store.users.deleteIdleSessions(this.clock.now() - this.sessionIdleMs);
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.store.tenants.get(tenantId))) {
      throw new AppError('NOT_FOUND', `No tenant ${tenantId}`);
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
