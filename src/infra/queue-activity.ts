import type { BulkChangeNews, ChangedQueue } from './invalidation.js';

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
 * How long the queues changed on this node are collected before the other nodes are told, in one
 * message: a busy queue changes many times a second, and one recount per batch is enough.
 */
export const CHANGES_ANNOUNCE_MS = 100;

/** Where a node's news goes: to the other nodes (Invalidation), or nowhere for a single node. */
export interface ActivityNews {
  bulk(news: BulkChangeNews): void;
  changed(queues: readonly ChangedQueue[]): void;
}

const noNews: ActivityNews = { bulk: () => undefined, changed: () => undefined };

/**
 * Which queues' callbacks changed, as a version per queue: figures derived from a queue's
 * callbacks (EWT) are remembered until the queue changes. The queues changed here are told to the
 * other nodes in batches (`news.changed`) and theirs heard (`heardChanged`), so a node recounts
 * only the queues that changed somewhere. Bulk changes of a queue (a purge) are told too
 * (`news.bulk`, `heard`), so that no node recounts a queue while any node empties it.
 */
export class QueueActivity {
  private readonly versions = new Map<string, number>();
  // Bulk changes under way per queue on this node (a purge-now and the TTL job may overlap on
  // one queue), with the timer telling the other nodes they go on.
  private readonly bulk = new Map<string, { count: number; timer: NodeJS.Timeout }>();
  // Changes made elsewhere (another node's news, a bulk change that ended) per queue, and for all
  // queues at once (news that may have been missed).
  private readonly outdated = new Map<string, number>();
  private allOutdated = 0;
  // Bulk changes other nodes announced: until when this node holds the queue's figures.
  private readonly heldFor = new Map<string, number>();
  // Queues changed here since the other nodes were last told.
  private readonly untold = new Map<string, ChangedQueue>();
  private telling: NodeJS.Timeout | undefined;

  constructor(private readonly news: ActivityNews = noNews) {}

  /** Notes that a queue's callbacks changed on this node. */
  touched(tenantId: string, serviceName: string): void {
    const key = queueKey(tenantId, serviceName);
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    this.untold.set(key, { tenantId, serviceName });
    this.telling ??= setTimeout(() => this.tell(), CHANGES_ANNOUNCE_MS).unref();
  }

  private tell(): void {
    this.telling = undefined;
    const queues = [...this.untold.values()];
    this.untold.clear();
    this.news.changed(queues);
  }

  /**
   * Another node changed these queues' callbacks: their figures are out of date, as if their age
   * had run out (not held for a fresh figure at any cost, as after a change here: while a bulk
   * change of the queue runs, its figures stand).
   */
  heardChanged(queues: readonly ChangedQueue[]): void {
    for (const { tenantId, serviceName } of queues) this.aged(queueKey(tenantId, serviceName));
  }

  /** News from the other nodes may have been missed: every queue's figures are out of date. */
  heardNothingFor(): void {
    this.allOutdated++;
  }

  /**
   * A bulk change of the queue (a purge) begins on this node: until it ends, the queue's figures
   * stand as they were before it rather than being recounted by age, here and on the nodes it
   * tells. A recount meanwhile answers nothing useful and walks the index entries the purge
   * leaves behind on PostgreSQL (bench/README.md, "Measurements behind the code").
   */
  bulkChangeBegins(tenantId: string, serviceName: string): void {
    const key = queueKey(tenantId, serviceName);
    const running = this.bulk.get(key);
    if (running) {
      running.count++;
      return;
    }
    const news = { phase: 'begins', tenantId, serviceName } as const;
    this.news.bulk(news);
    const timer = setInterval(() => this.news.bulk(news), BULK_CHANGE_ANNOUNCE_MS).unref();
    this.bulk.set(key, { count: 1, timer });
  }

  /**
   * The bulk change ends: the queue's figures are out of date, as if their age had run out. Not
   * a change that only a fresh figure may answer (touched): the first recount after a large purge
   * is slow on PostgreSQL, and every visitor of the queue would wait for it (bench/README.md).
   */
  bulkChangeEnds(tenantId: string, serviceName: string): void {
    const key = queueKey(tenantId, serviceName);
    const running = this.bulk.get(key);
    if (running && running.count > 1) running.count--;
    else if (running) {
      clearInterval(running.timer);
      this.bulk.delete(key);
      this.news.bulk({ phase: 'ends', tenantId, serviceName });
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
    this.outdated.set(key, (this.outdated.get(key) ?? 0) + 1);
  }

  /** The queue's state as this node knows it at `now`, for figures derived from its callbacks. */
  stamp(tenantId: string, serviceName: string, now: number): QueueStamp {
    const key = queueKey(tenantId, serviceName);
    return {
      version: this.versions.get(key) ?? 0,
      outdated: (this.outdated.get(key) ?? 0) + this.allOutdated,
      inBulkChange: this.bulk.has(key) || (this.heldFor.get(key) ?? 0) > now,
    };
  }
}

/** A queue's state on this node (see QueueActivity). */
export interface QueueStamp {
  /** Changes made on this node: a figure read before the latest one is wrong. */
  version: number;
  /**
   * Changes made elsewhere (another node, a bulk change that ended): a figure read before the
   * latest one is out of date.
   */
  outdated: number;
  /** Whether a bulk change is under way on any node: the figure from before it stands. */
  inBulkChange: boolean;
}
