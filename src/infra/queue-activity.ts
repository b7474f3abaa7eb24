import type { BulkChangeNews } from './invalidation.js';

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
    this.announce(news);
    const timer = setInterval(() => this.announce(news), BULK_CHANGE_ANNOUNCE_MS).unref();
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
