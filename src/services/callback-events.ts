import { formatUtc } from '../domain/time.js';
import type { Tx } from '../store/db.js';
import type { BulkChanged, ChangedCallback } from '../store/repos/lifecycle.js';
import type { Store } from '../store/index.js';
import type { BulkChangeNews } from './invalidation.js';

/**
 * The event snapshot of a callback: never userData (it may hold personal data). Bulk changes have
 * the database build the same (EventRepo.insertForCallbacks).
 */
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

/** One queue of one tenant, as a map key. */
export const queueKey = (tenantId: string, serviceName: string) =>
  `${tenantId}\u0000${serviceName}`;

/** How often a node running a bulk change of a queue tells the others it still runs. */
export const BULK_CHANGE_ANNOUNCE_MS = 10_000;
/**
 * How long a node keeps a queue's figures for a bulk change another node announced: a node that
 * stops (or a message lost) leaves the hold to run out, and the figures age again.
 */
export const BULK_CHANGE_HEARD_HOLD_MS = 3 * BULK_CHANGE_ANNOUNCE_MS;

/**
 * Which queues' callbacks this node has changed, as a version per queue: figures derived from a
 * queue's callbacks (EWT) can be cached until the queue changes here, and briefly otherwise.
 * Bulk changes of a queue (a purge) are told to the other nodes through `announce`, and theirs
 * heard (`heard`), so that no node recounts a queue while any node empties it.
 */
export class QueueActivity {
  private readonly versions = new Map<string, number>();
  // Bulk changes under way per queue on this node (a purge-now and the TTL job may overlap on
  // one queue), with the timer telling the other nodes they go on, and how many have ended (here
  // or on another node).
  private readonly bulk = new Map<string, { count: number; timer: NodeJS.Timeout }>();
  private readonly bulkEnded = new Map<string, number>();
  // Bulk changes other nodes announced: until when this node holds the queue's figures.
  private readonly heldFor = new Map<string, number>();

  constructor(private readonly announce: (news: BulkChangeNews) => void = () => undefined) {}

  /** Notes that a queue's callbacks changed. */
  touched(tenantId: string, serviceName: string): void {
    const key = queueKey(tenantId, serviceName);
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
  }

  /**
   * A bulk change of the queue (a purge) begins on this node: until it ends, the queue's figures
   * stand as they were before it rather than being recounted by age, here and on the nodes it
   * tells. Recounting a queue while a purge empties it answers nothing useful and, on
   * PostgreSQL, walked every index entry the purge had left behind: a third of the database's
   * work during a purge of 1 000 000 callbacks, and as much again for every other node.
   */
  bulkChangeBegins(tenantId: string, serviceName: string): void {
    const key = queueKey(tenantId, serviceName);
    const running = this.bulk.get(key);
    if (running) {
      running.count++;
      return;
    }
    const news = { phase: 'begins', tenantId, serviceName } as const;
    this.announce(news);
    const timer = setInterval(() => this.announce(news), BULK_CHANGE_ANNOUNCE_MS).unref();
    this.bulk.set(key, { count: 1, timer });
  }

  /**
   * The bulk change ends: the queue's figures are out of date, as if their age had run out. Not
   * a change that only a fresh figure may answer (touched): the first recount after a purge of
   * PostgreSQL's half a million callbacks walks all the entries it left and took ~450 ms, which
   * every visitor of the queue would have waited.
   */
  bulkChangeEnds(tenantId: string, serviceName: string): void {
    const key = queueKey(tenantId, serviceName);
    const running = this.bulk.get(key);
    if (running && running.count > 1) running.count--;
    else if (running) {
      clearInterval(running.timer);
      this.bulk.delete(key);
      this.announce({ phase: 'ends', tenantId, serviceName });
    }
    this.aged(key);
  }

  /** Another node tells of a bulk change it runs (`now`: this node's clock). */
  heard({ phase, tenantId, serviceName }: BulkChangeNews, now: number): void {
    const key = queueKey(tenantId, serviceName);
    if (phase === 'begins') {
      this.heldFor.set(key, now + BULK_CHANGE_HEARD_HOLD_MS);
    } else if (this.heldFor.delete(key)) this.aged(key);
  }

  private aged(key: string): void {
    this.bulkEnded.set(key, (this.bulkEnded.get(key) ?? 0) + 1);
  }

  /** The queue's state as this node knows it at `now`, for figures derived from its callbacks. */
  stamp(tenantId: string, serviceName: string, now: number): QueueStamp {
    const key = queueKey(tenantId, serviceName);
    return {
      version: this.versions.get(key) ?? 0,
      bulkEnded: this.bulkEnded.get(key) ?? 0,
      inBulkChange: this.bulk.has(key) || (this.heldFor.get(key) ?? 0) > now,
    };
  }
}

/** A queue's state on this node (see QueueActivity). */
export interface QueueStamp {
  /** Changes made on this node: a figure read before the latest one is wrong. */
  version: number;
  /** Bulk changes that have ended: a figure read before the latest one is out of date. */
  bulkEnded: number;
  /** Whether a bulk change is under way on any node: the figure from before it stands. */
  inBulkChange: boolean;
}

interface Figure<V> {
  version: number;
  bulkEnded: number;
  at: number;
  value: V;
}

/**
 * Figures derived from a queue's callbacks (EWT, booked slots), remembered until the queue changes
 * on this node and for at most `maxAgeMs` (changes made by other nodes); while a bulk change of
 * the queue runs on any node this node knows of, for as long as it runs. Once only the age has
 * run out (or a bulk change has ended), an answer waits for the fresh figure at most
 * `patienceMs`, then takes the one it had: on PostgreSQL, recounting a queue in the middle of a
 * bulk change of it (the end-of-day purge of 500 000 callbacks) took up to 650 ms, and every
 * visitor of that queue waited for it.
 */
export class QueueFigures<V> {
  private readonly entries = new Map<string, Figure<V>>();
  // Reads under way: on PostgreSQL many requests for a queue arrive while its figure is being
  // read, and each would otherwise run the same count.
  private readonly reading = new Map<string, { stamp: QueueStamp; value: Promise<V> }>();

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
    const id = `${queueKey(tenantId, serviceName)}\u0000${key}`;
    const now = this.now();
    const stamp = this.activity.stamp(tenantId, serviceName, now);
    const hit = this.entries.get(id);
    const current = hit !== undefined && hit.version === stamp.version && now >= hit.at;
    const upToDate =
      current &&
      hit.bulkEnded === stamp.bulkEnded &&
      (stamp.inBulkChange || now - hit.at < this.maxAgeMs);
    if (upToDate) return hit.value;
    const fresh = this.fresh(id, stamp, now, compute);
    // After a change on this node only the fresh figure will do.
    return current ? within(fresh, this.patienceMs, hit.value) : fresh;
  }

  /** The read of (queue, key) under way for this state of the queue, or a new one. */
  private fresh(id: string, stamp: QueueStamp, now: number, compute: () => Promise<V>) {
    const running = this.reading.get(id);
    if (running?.stamp.version === stamp.version && running.stamp.bulkEnded === stamp.bulkEnded) {
      return running.value;
    }
    const value = this.read(id, stamp, now, compute);
    this.reading.set(id, { stamp, value });
    const done = () => {
      if (this.reading.get(id)?.value === value) this.reading.delete(id);
    };
    value.then(done, done);
    return value;
  }

  private async read(id: string, stamp: QueueStamp, now: number, compute: () => Promise<V>) {
    const fresh = await compute();
    const hit = this.entries.get(id);
    // A read begun after a later change may have finished first: keep its figure.
    if (hit && (hit.version > stamp.version || hit.bulkEnded > stamp.bulkEnded)) return fresh;
    const value = hit && this.same?.(hit.value, fresh) === true ? hit.value : fresh;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(id, { version: stamp.version, bulkEnded: stamp.bulkEnded, at: now, value });
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
   * says they are not (`markQueues: false`: nothing a queue's figures are derived from changed).
   */
  async record(
    trx: Tx,
    rows: readonly ChangedCallback[],
    type: string | readonly string[],
    now: number,
    { markQueues = true } = {},
  ): Promise<void> {
    // Several types are recorded per callback in that order, in one statement.
    const types = typeof type === 'string' ? [type] : type;
    await this.store.events.insertMany(
      trx,
      rows.flatMap((row) =>
        types.map((t) => ({
          tenantId: row.tenant_id,
          callbackId: row.id,
          type: t,
          payload: eventPayload(row),
          now,
        })),
      ),
    );
    if (markQueues) this.markQueues(rows);
  }

  /**
   * Records one event per callback a bulk change changed, built by the database from the rows as
   * the change left them. The caller marks their queues (bulkChangeBegins / bulkChangeEnds).
   */
  recordBulk(trx: Tx, rows: readonly BulkChanged[], type: string, now: number): Promise<void> {
    return this.store.events.insertForCallbacks(
      trx,
      rows.map((row) => row.id),
      type,
      now,
    );
  }

  private markQueues(rows: Iterable<BulkChanged>): void {
    for (const row of rows) this.activity.touched(row.tenant_id, row.service_name);
  }

  /** A bulk change of this callback's queue begins on this node. */
  bulkChangeBegins(row: BulkChanged): void {
    this.activity.bulkChangeBegins(row.tenant_id, row.service_name);
  }

  /** The bulk change of this callback's queue ends: the queue's figures are out of date. */
  bulkChangeEnds(row: BulkChanged): void {
    this.activity.bulkChangeEnds(row.tenant_id, row.service_name);
  }
}
