import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { parseCallInGroup, type CallInGroup } from '../domain/call-in.js';
import { AppError } from '../domain/errors.js';
import type { QueueSettings } from '../domain/queue-settings.js';
import { parseQueueSettings } from '../domain/queue-settings.js';
import { formatRateLimits, parseRateLimits, type RateLimits } from '../domain/rate-limits.js';
import type { Store } from '../store/index.js';
import type { AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import { CACHE_KINDS, type Invalidation } from '../infra/invalidation.js';
import type { QueueService } from './queues.js';
import { checkTenantId, checkTimeZone, normalizeOrigin, type TenantService } from './tenants.js';

/** One tenant of the operator's declarative configuration, validated. */
export interface TenantDocument {
  id: string;
  name: string | undefined;
  timezone: string | undefined;
  corsOrigins: string[] | undefined;
  queues: QueueSettings[];
  /** Click-to-call-in groups; when listed, groups from this source not in the list are removed. */
  callInGroups: CallInGroup[] | undefined;
  /** Engagement API rate limits that differ from the defaults; when absent, left as they are. */
  rateLimits: Partial<RateLimits> | undefined;
}

const TENANT_KEYS = new Set([
  'id',
  'name',
  'timezone',
  'corsOrigins',
  'queues',
  'callInGroups',
  'rateLimits',
]);
const CONFIG_FILE = /\.(ya?ml|json)$/i;
const STATE_REFRESHED = 'tenantConfig.lastRefreshedAt';
const STATE_ERROR = 'tenantConfig.lastError';
const STATE_ERROR_TENANT = 'tenantConfig.lastErrorTenant';
/** An error about a whole file: its base name (never its folder) and what is wrong. */
const FILE_ERROR = /^[\w.-]+\.(ya?ml|json): /i;
const NOT_APPLIED =
  'The tenant configuration could not be applied (the error is outside this tenant’s part); the last good one stays';

/** The tenant whose part of `doc` an error message (`tenants[3].queues…`) is about, if any. */
function tenantOfError(doc: unknown, message: string): string | undefined {
  const index = /^tenants\[(\d+)\]/.exec(message)?.[1];
  if (index === undefined || !isRecord(doc) || !Array.isArray(doc.tenants)) return undefined;
  const entry: unknown = doc.tenants[Number(index)];
  return isRecord(entry) && typeof entry.id === 'string' ? entry.id : undefined;
}

function fail(where: string, message: string): never {
  throw new AppError('INVALID_PARAMETER', `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed configuration document completely before anything is applied. */
export function parseTenantDocument(doc: unknown, existingZones: Map<string, string>) {
  if (!isRecord(doc) || !Array.isArray(doc.tenants)) fail('document', 'needs a "tenants" list');
  const seen = new Set<string>();
  return doc.tenants.map((raw: unknown, i): TenantDocument => {
    const where = `tenants[${i}]`;
    if (!isRecord(raw)) fail(where, 'must be an object');
    for (const key of Object.keys(raw)) {
      if (!TENANT_KEYS.has(key)) fail(`${where}.${key}`, 'unknown field');
    }
    if (typeof raw.id !== 'string') fail(`${where}.id`, 'is required');
    const id = checkTenantId(raw.id);
    if (seen.has(id)) fail(`${where}.id`, `tenant "${id}" is listed twice`);
    seen.add(id);
    if (raw.name !== undefined && typeof raw.name !== 'string')
      fail(`${where}.name`, 'must be text');
    if (raw.timezone !== undefined && typeof raw.timezone !== 'string') {
      fail(`${where}.timezone`, 'must be an IANA time zone name');
    }
    const timezone = raw.timezone === undefined ? undefined : checkTimeZone(raw.timezone);
    let corsOrigins: string[] | undefined;
    if (raw.corsOrigins !== undefined) {
      if (!Array.isArray(raw.corsOrigins)) fail(`${where}.corsOrigins`, 'must be a list');
      corsOrigins = raw.corsOrigins.map((o: unknown, j) =>
        typeof o === 'string'
          ? normalizeOrigin(o)
          : fail(`${where}.corsOrigins[${j}]`, 'must be text'),
      );
    }
    const rawQueues: unknown = raw.queues ?? [];
    if (!Array.isArray(rawQueues)) fail(`${where}.queues`, 'must be a list');
    const defaultTimezone = timezone ?? existingZones.get(id) ?? 'UTC';
    const names = new Set<string>();
    const queues = rawQueues.map((q: unknown, j) => {
      try {
        const settings = parseQueueSettings(q, { defaultTimezone });
        if (names.has(settings.name)) fail(`queue "${settings.name}"`, 'is listed twice');
        names.add(settings.name);
        return settings;
      } catch (e) {
        if (e instanceof AppError) fail(`${where}.queues[${j}]`, e.message);
        throw e;
      }
    });
    let callInGroups: CallInGroup[] | undefined;
    if (raw.callInGroups !== undefined) {
      if (!Array.isArray(raw.callInGroups)) fail(`${where}.callInGroups`, 'must be a list');
      const groupNames = new Set<string>();
      callInGroups = raw.callInGroups.map((g: unknown, j) => {
        const group = parseCallInGroup(g, `${where}.callInGroups[${j}]`);
        if (groupNames.has(group.name)) {
          fail(`${where}.callInGroups[${j}]`, `group "${group.name}" is listed twice`);
        }
        groupNames.add(group.name);
        return group;
      });
    }
    const rateLimits =
      raw.rateLimits === undefined
        ? undefined
        : parseRateLimits(raw.rateLimits, `${where}.rateLimits`);
    return { id, name: raw.name, timezone, corsOrigins, queues, callInGroups, rateLimits };
  });
}

/** Reads a YAML/JSON file, or every such file of a folder (in name order), as one document. */
export async function readConfigSource(source: string): Promise<unknown> {
  const stat = await fs.stat(source);
  const files = stat.isDirectory()
    ? (await fs.readdir(source))
        .filter((f) => CONFIG_FILE.test(f))
        .sort()
        .map((f) => path.join(source, f))
    : [source];
  const tenants: unknown[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = YAML.parse(await fs.readFile(file, 'utf8'));
    } catch (e) {
      fail(
        path.basename(file),
        e instanceof Error ? (e.message.split('\n')[0] ?? 'unreadable') : 'unreadable',
      );
    }
    if (!isRecord(doc) || !Array.isArray(doc.tenants)) {
      fail(path.basename(file), 'needs a "tenants" list');
    }
    tenants.push(...(doc.tenants as unknown[]));
  }
  return { tenants };
}

/** The operator's declarative tenant configuration: applied, refreshed and reported. */
export class TenantConfigService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly tenants: TenantService,
    private readonly queues: QueueService,
    private readonly invalidation: Invalidation,
    private readonly sourcePath: string | undefined,
  ) {}

  /** Applies a document idempotently; all of it or (on any error) nothing. */
  async apply(doc: unknown, source: string): Promise<TenantDocument[]> {
    const existing = new Map((await this.store.tenants.list()).map((t) => [t.id, t.timezone]));
    const parsed = parseTenantDocument(doc, existing);
    const now = this.clock.now();
    // Read before the transaction: on SQLite it holds the only connection, so a read outside it
    // from within would wait forever. The lock below still serialises the writes of every node.
    const currentOrigins = new Map<string, { origin: string; source: string }[]>();
    for (const t of parsed) {
      if (t.corsOrigins !== undefined) currentOrigins.set(t.id, await this.store.cors.list(t.id));
    }
    await this.store.db.transaction(async (trx) => {
      // Several nodes refresh on the same schedule: one applies at a time.
      await this.store.db.lock(trx, 'tenant-config');
      for (const t of parsed) {
        const current = await this.store.tenants.get(t.id, trx);
        if (!current) {
          await this.store.tenants.insert(
            {
              id: t.id,
              name: t.name ?? t.id,
              timezone: t.timezone ?? 'UTC',
              settings: '{}',
              source,
              created_at: now,
              config_refreshed_at: now,
              config_error: null,
            },
            trx,
          );
        } else {
          await this.store.tenants.update(
            t.id,
            { name: t.name ?? current.name, timezone: t.timezone ?? current.timezone },
            trx,
          );
        }
        if (t.corsOrigins !== undefined) {
          const wanted = new Set(t.corsOrigins);
          for (const o of currentOrigins.get(t.id) ?? []) {
            if (o.source === source && !wanted.has(o.origin)) {
              await this.store.cors.remove(t.id, o.origin, trx);
            }
          }
          for (const origin of wanted) await this.store.cors.add(t.id, origin, source, now, trx);
        }
        for (const q of t.queues) await this.queues.save(t.id, q, source, trx);
        if (t.callInGroups !== undefined) {
          const wanted = new Set(t.callInGroups.map((g) => g.name));
          for (const g of await this.store.callIn.listGroups(t.id, trx)) {
            if (g.source === source && !wanted.has(g.name)) {
              await this.store.callIn.deleteGroup(t.id, g.name, trx);
            }
          }
          for (const g of t.callInGroups) {
            await this.store.callIn.saveGroup(t.id, g, source, now, trx);
          }
        }
        await this.store.tenants.setConfigStatus(t.id, { refreshedAt: now, error: null }, trx);
      }
    });
    // Its own transaction (the settings document is merged under a lock); validated above, so
    // only the database can fail here.
    for (const t of parsed) {
      if (t.rateLimits === undefined) continue;
      await this.store.credentials.mergeTenantSettings(t.id, {
        rateLimits: formatRateLimits(t.rateLimits),
      });
    }
    await this.invalidateCaches();
    for (const t of parsed) {
      await this.audit.record({ tenantId: t.id, name: source }, 'tenant.apply', t.id, undefined, {
        corsOrigins: t.corsOrigins,
        queues: t.queues.map((q) => q.name),
        callInGroups: t.callInGroups?.map((g) => g.name),
      });
    }
    return parsed;
  }

  /**
   * Re-reads the configured source and applies it. A broken or half-written file keeps the last
   * good configuration: the error is recorded and reported (in full here, for the operator; to
   * each tenant only as far as it concerns that tenant, see `status`).
   */
  async refresh(requestingTenant?: string): Promise<{ ok: boolean; error: string | null }> {
    const now = this.clock.now();
    let error: string | null = null;
    let owner: string | undefined;
    if (this.sourcePath !== undefined) {
      let doc: unknown;
      try {
        doc = await readConfigSource(this.sourcePath);
        await this.apply(doc, 'config');
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
        owner = tenantOfError(doc, error);
      }
    }
    await this.invalidateCaches();
    await this.store.system.set(STATE_ERROR, error ?? '');
    await this.store.system.set(STATE_ERROR_TENANT, owner ?? '');
    if (error === null) await this.store.system.set(STATE_REFRESHED, String(now));
    if (owner !== undefined) await this.store.tenants.setConfigStatus(owner, { error });
    if (requestingTenant !== undefined && error === null) {
      await this.store.tenants.setConfigStatus(requestingTenant, { refreshedAt: now, error });
    }
    return { ok: error === null, error };
  }

  /**
   * When a tenant's configuration was last refreshed, and why the last refresh failed as far as
   * that tenant may know: its own part's error in full, a file that could not be read by its
   * name, anything else (another tenant's part, the database) only as a failure. Never the
   * server's paths.
   */
  async status(tenantId: string) {
    const tenant = await this.tenants.get(tenantId);
    const error = (await this.store.system.get(STATE_ERROR)) || null;
    const owner = (await this.store.system.get(STATE_ERROR_TENANT)) || null;
    let lastError: string | null = null;
    if (error !== null) {
      if (owner === tenantId) lastError = error;
      else if (owner === null && FILE_ERROR.test(error)) lastError = error;
      else lastError = NOT_APPLIED;
    }
    const refreshed = tenant.config_refreshed_at;
    return {
      lastRefreshedAt: refreshed === null ? null : new Date(refreshed).toISOString(),
      lastError,
      source: this.sourcePath === undefined ? null : 'the operator’s configuration',
    };
  }

  // A refresh is also how an operator makes every node forget what it cached.
  private async invalidateCaches(): Promise<void> {
    for (const kind of CACHE_KINDS) await this.invalidation.publish(kind);
  }
}
