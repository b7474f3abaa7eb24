import { formatUtc } from '../domain/time.js';
import type { Tx } from '../store/db.js';
import type { ChangedCallback } from '../store/repos/lifecycle.js';
import type { Store } from '../store/index.js';

/** The event snapshot of a callback: never userData (it may hold personal data). */
export function eventPayload(row: ChangedCallback) {
  return {
    id: row.id,
    serviceName: row.service_name,
    state: row.state,
    reason: row.reason,
    desiredTime: formatUtc(row.desired_time),
    attempts: row.attempts,
    priority: row.priority,
  };
}

/**
 * Which queues' callbacks this node has changed, as a version per queue: figures derived from a
 * queue's callbacks (EWT) can be cached until the queue changes here, and briefly otherwise.
 */
export class QueueActivity {
  private readonly versions = new Map<string, number>();

  /** Notes that a queue's callbacks changed. */
  touched(tenantId: string, serviceName: string): void {
    const key = `${tenantId}\u0000${serviceName}`;
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
  }

  /** The queue's current version on this node. */
  version(tenantId: string, serviceName: string): number {
    return this.versions.get(`${tenantId}\u0000${serviceName}`) ?? 0;
  }
}

/**
 * Figures derived from a queue's callbacks (EWT, booked slots), remembered until the queue changes
 * on this node and for at most `maxAgeMs` (changes made by other nodes). Once only the age has run
 * out, an answer waits for the fresh figure at most `patienceMs`, then takes the one it had: on
 * PostgreSQL, recounting a queue in the middle of a bulk change of it (the end-of-day purge of
 * 500 000 callbacks) took up to 650 ms, and every visitor of that queue waited for it.
 */
export class QueueFigures<V> {
  private readonly entries = new Map<string, { version: number; at: number; value: V }>();
  // Reads under way: on PostgreSQL many requests for a queue arrive while its figure is being
  // read, and each would otherwise run the same count.
  private readonly reading = new Map<string, { version: number; value: Promise<V> }>();

  constructor(
    private readonly activity: QueueActivity,
    private readonly now: () => number,
    // A fresh figure equal to the remembered one keeps the remembered object, so whatever was
    // derived from that object (remembered by its identity) stays valid.
    private readonly same?: (a: V, b: V) => boolean,
    private readonly maxAgeMs = 1_000,
    private readonly limit = 10_000,
    private readonly patienceMs = 50,
  ) {}

  /** The remembered figure for (queue, key), or a fresh one from `compute`. */
  async get(tenantId: string, serviceName: string, key: string, compute: () => Promise<V>) {
    const id = `${tenantId}\u0000${serviceName}\u0000${key}`;
    const version = this.activity.version(tenantId, serviceName);
    const now = this.now();
    const hit = this.entries.get(id);
    const current = hit !== undefined && hit.version === version && now >= hit.at;
    if (current && now - hit.at < this.maxAgeMs) return hit.value;
    const fresh = this.fresh(id, version, now, compute);
    // After a change on this node only the fresh figure will do.
    return current ? within(fresh, this.patienceMs, hit.value) : fresh;
  }

  /** The read of (queue, key) under way for this version, or a new one. */
  private fresh(id: string, version: number, now: number, compute: () => Promise<V>) {
    const running = this.reading.get(id);
    if (running?.version === version) return running.value;
    const value = this.read(id, version, now, compute);
    this.reading.set(id, { version, value });
    const done = () => {
      if (this.reading.get(id)?.value === value) this.reading.delete(id);
    };
    value.then(done, done);
    return value;
  }

  private async read(id: string, version: number, now: number, compute: () => Promise<V>) {
    const fresh = await compute();
    const hit = this.entries.get(id);
    // A read begun after a later change may have finished first: keep its figure.
    if (hit && hit.version > version) return fresh;
    const value = hit && this.same?.(hit.value, fresh) === true ? hit.value : fresh;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(id, { version, at: now, value });
    return value;
  }
}

/** `value` if it settles within `ms`, else `fallback`. */
function within<V>(value: Promise<V>, ms: number, fallback: V): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<V>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([value, late]).finally(() => clearTimeout(timer));
}

/** Writes the outbox events of callback state changes, in the transaction of the change. */
export class CallbackEvents {
  constructor(
    private readonly store: Store,
    private readonly activity: QueueActivity,
  ) {}

  /**
   * Records one event per changed callback and marks their queues changed, unless the caller
   * marks them itself once its bulk change ends (`markQueues: false`, then `markQueues(rows)`).
   */
  async record(
    trx: Tx,
    rows: readonly ChangedCallback[],
    type: string,
    now: number,
    { markQueues = true } = {},
  ): Promise<void> {
    await this.store.events.insertMany(
      trx,
      rows.map((row) => ({
        tenantId: row.tenant_id,
        callbackId: row.id,
        type,
        payload: eventPayload(row),
        now,
      })),
    );
    if (markQueues) this.markQueues(rows);
  }

  /** Marks the queues of these callbacks changed. */
  markQueues(rows: Iterable<ChangedCallback>): void {
    for (const row of rows) this.activity.touched(row.tenant_id, row.service_name);
  }
}
