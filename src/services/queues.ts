import { AppError } from '../domain/errors.js';
import type { BusinessHours } from '../domain/hours.js';
import {
  mergeQueueSettings,
  parseQueueSettings,
  type QueueSettings,
  type QueueSettingsPatch,
} from '../domain/queue-settings.js';
import type { Tx } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import type { Invalidation } from '../infra/invalidation.js';
import { TtlCache } from '../infra/ttl-cache.js';

const SETTINGS_CACHE_MS = 5_000;
const MAX_SHARED_HOURS = 10_000;

/** Callback services (virtual queues): their settings, validated and cached. */
export class QueueService {
  private readonly cache = new TtlCache<QueueSettings | null>(SETTINGS_CACHE_MS);
  // The settings last parsed per queue with their stored text: a reload that finds the same text
  // keeps the same object, so what is remembered by its identity (slot grids, availability
  // answers) outlives the cache's expiry.
  private readonly parsed = new Map<string, { text: string; settings: QueueSettings }>();
  // Equal hours of different queues are one object: what the calendar remembers per hours object
  // (each date's spans in real time, the costly part) is then computed once for all of them.
  private readonly hoursByText = new Map<string, BusinessHours>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly invalidation: Invalidation,
  ) {
    invalidation.on('queues', () => this.cache.clear());
  }

  /** A queue's settings, or undefined when the tenant has no such queue. */
  async find(tenantId: string, name: string): Promise<QueueSettings | undefined> {
    const key = `${tenantId}\u0000${name}`;
    const settings = await this.cache.getOrLoad(key, this.clock.now(), async () => {
      const row = await this.store.queues.get(tenantId, name);
      if (!row) {
        this.parsed.delete(key);
        return null;
      }
      return this.settingsOf(tenantId, name, row.settings);
    });
    return settings ?? undefined;
  }

  /**
   * The settings a queue's stored text holds: the object last parsed from the same text, so the
   * scheduler's passes over every queue share what the calendar remembers per settings object
   * with the requests, instead of parsing and converting each queue's days again every pass.
   */
  settingsOf(tenantId: string, name: string, text: string): QueueSettings {
    const key = `${tenantId}\u0000${name}`;
    const last = this.parsed.get(key);
    if (last?.text === text) return last.settings;
    const parsed = parseQueueSettings(JSON.parse(text));
    const { businessHours, immediateOfferHours } = parsed;
    const fresh = {
      ...parsed,
      ...(businessHours && { businessHours: this.sharedHours(businessHours) }),
      ...(immediateOfferHours && { immediateOfferHours: this.sharedHours(immediateOfferHours) }),
    };
    this.parsed.set(key, { text, settings: fresh });
    return fresh;
  }

  private sharedHours(hours: BusinessHours): BusinessHours {
    const text = JSON.stringify(hours);
    const known = this.hoursByText.get(text);
    if (known) return known;
    // As many as there are queues at most; a flood of changed hours starts the sharing afresh.
    if (this.hoursByText.size >= MAX_SHARED_HOURS) this.hoursByText.clear();
    this.hoursByText.set(text, hours);
    return hours;
  }

  /** A queue's settings, or 40402 (also for another tenant's queue). */
  async get(tenantId: string, name: string): Promise<QueueSettings> {
    const settings = await this.find(tenantId, name);
    if (!settings) throw new AppError('SERVICE_NOT_FOUND', `Service "${name}" not found`);
    return settings;
  }

  /** A tenant's queues. */
  async list(tenantId: string): Promise<QueueSettings[]> {
    const rows = await this.store.queues.list(tenantId);
    return rows.map((r) => parseQueueSettings(JSON.parse(r.settings)));
  }

  /** Validates a new queue's settings, filling defaults (time zone: the tenant's). */
  async validate(tenantId: string, input: QueueSettingsPatch): Promise<QueueSettings> {
    const tenant = await this.store.tenants.get(tenantId);
    if (!tenant) throw new AppError('NOT_FOUND', `No tenant ${tenantId}`);
    return parseQueueSettings(input, { defaultTimezone: tenant.timezone });
  }

  /** Creates a queue; 40903 when the name is taken. */
  async create(actor: Actor, input: QueueSettingsPatch): Promise<QueueSettings> {
    const settings = await this.validate(actor.tenantId, input);
    if (await this.store.queues.get(actor.tenantId, settings.name)) {
      throw new AppError('ALREADY_EXISTS', `Service "${settings.name}" already exists`);
    }
    await this.save(actor.tenantId, settings, 'api');
    await this.audit.record(actor, 'queue.create', settings.name, undefined, settings);
    return settings;
  }

  /** Applies a partial change to a queue's settings. */
  async update(actor: Actor, name: string, patch: QueueSettingsPatch): Promise<QueueSettings> {
    const before = await this.get(actor.tenantId, name);
    const after = mergeQueueSettings(before, patch);
    if (after.name !== name) {
      throw new AppError('INVALID_PARAMETER', 'name: a queue cannot be renamed');
    }
    await this.save(actor.tenantId, after, 'api');
    await this.audit.record(actor, 'queue.update', name, before, after);
    return after;
  }

  /** Deletes a queue. */
  async delete(actor: Actor, name: string): Promise<void> {
    const before = await this.get(actor.tenantId, name);
    await this.store.queues.delete(actor.tenantId, name);
    await this.invalidation.publish('queues');
    await this.audit.record(actor, 'queue.delete', name, before);
  }

  /**
   * Stores already-validated settings. Inside a transaction (the tenant configuration) only this
   * node forgets now; the caller tells the others once the transaction has committed.
   */
  async save(tenantId: string, settings: QueueSettings, source: string, trx?: Tx): Promise<void> {
    await this.store.queues.upsert(
      {
        tenant_id: tenantId,
        name: settings.name,
        settings: JSON.stringify(settings),
        source,
        now: this.clock.now(),
      },
      trx,
    );
    if (trx) this.cache.delete(`${tenantId}\u0000${settings.name}`);
    else await this.invalidation.publish('queues');
  }
}
