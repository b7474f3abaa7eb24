import { AppError } from '../domain/errors.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import type { Invalidation } from '../infra/invalidation.js';
import { TtlCache } from '../infra/ttl-cache.js';
import { isValidTimeZone } from '../domain/time.js';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const CORS_CACHE_MS = 5_000;

/** Checks a tenant id: lower-case letters, digits, `-` and `_`, up to 63 characters. */
export function checkTenantId(id: string): string {
  if (!TENANT_ID.test(id)) {
    throw new AppError(
      'INVALID_PARAMETER',
      `tenant id "${id}" must be 1–63 lower-case letters, digits, "-" or "_"`,
    );
  }
  return id;
}

/** Checks an IANA time zone name. */
export function checkTimeZone(timeZone: string): string {
  if (!isValidTimeZone(timeZone)) {
    throw new AppError('INVALID_PARAMETER', `unknown time zone "${timeZone}"`);
  }
  return timeZone;
}

/** Normalises a browser origin (`https://www.acme.com[:port]`); anything else is refused. */
export function normalizeOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(
      'INVALID_PARAMETER',
      `"${raw}" is not an origin like https://www.example.com`,
    );
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username;
  if (!['http:', 'https:'].includes(url.protocol) || !bare || raw.endsWith('/')) {
    throw new AppError(
      'INVALID_PARAMETER',
      `"${raw}" is not an origin: use scheme://host[:port] with no path, e.g. https://www.example.com`,
    );
  }
  return url.origin;
}

/** Tenants and the browser origins they allow. */
export class TenantService {
  private readonly originCache = new TtlCache<Set<string>>(CORS_CACHE_MS);

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly invalidation: Invalidation,
  ) {
    invalidation.on('cors', () => this.originCache.clear());
  }

  /** Creates a tenant; 40903 when the id is taken. */
  async create(input: { id: string; name?: string; timezone?: string; source: string }) {
    const id = checkTenantId(input.id);
    const timezone = checkTimeZone(input.timezone ?? 'UTC');
    const name = input.name ?? id;
    const inserted = await this.store.tenants.insert({
      id,
      name,
      timezone,
      settings: '{}',
      source: input.source,
      created_at: this.clock.now(),
      config_refreshed_at: null,
      config_error: null,
    });
    if (!inserted) throw new AppError('ALREADY_EXISTS', `tenant "${id}" already exists`);
    await this.audit.record({ tenantId: id, name: input.source }, 'tenant.create', id, undefined, {
      name,
      timezone,
    });
    return { id, name, timezone };
  }

  /** One tenant or 40403. */
  async get(tenantId: string) {
    const row = await this.store.tenants.get(tenantId);
    if (!row) throw new AppError('NOT_FOUND', `No tenant ${tenantId}`);
    return row;
  }

  /** Every tenant. */
  async list() {
    const rows = await this.store.tenants.list();
    return rows.map((r) => ({ id: r.id, name: r.name, timezone: r.timezone }));
  }

  /** Allows a browser origin for a tenant. */
  async addOrigin(actor: Actor, rawOrigin: string, source: string) {
    await this.get(actor.tenantId);
    const origin = normalizeOrigin(rawOrigin);
    const added = await this.store.cors.add(actor.tenantId, origin, source, this.clock.now());
    await this.invalidation.publish('cors');
    if (added) await this.audit.record(actor, 'cors.add', origin);
    return { origin, added };
  }

  /** Withdraws a browser origin from a tenant. */
  async removeOrigin(actor: Actor, rawOrigin: string) {
    const origin = normalizeOrigin(rawOrigin);
    const removed = await this.store.cors.remove(actor.tenantId, origin);
    await this.invalidation.publish('cors');
    if (!removed) throw new AppError('NOT_FOUND', `${origin} is not allowed for ${actor.tenantId}`);
    await this.audit.record(actor, 'cors.remove', origin);
  }

  /** A tenant's allowed origins. */
  listOrigins(tenantId: string) {
    return this.store.cors.list(tenantId);
  }

  /** The tenants that allow `origin` (cached briefly; see TtlCache). */
  tenantsAllowingOrigin(origin: string): Promise<Set<string>> {
    return this.originCache.getOrLoad(
      origin,
      this.clock.now(),
      async () => new Set(await this.store.cors.tenantsForOrigin(origin)),
    );
  }
}
