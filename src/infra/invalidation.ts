import { randomUUID } from 'node:crypto';
import { errorContext, silentLogger, type Logger } from '../log.js';
import type { Db } from '../store/db.js';

/** The caches a node keeps of records any node (or the CLI) may change. */
export const CACHE_KINDS = ['api-keys', 'queues', 'cors', 'tenant-settings'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/** The PostgreSQL channel the nodes tell each other on. */
export const INVALIDATION_CHANNEL = 'opencallback_invalidate';
const isKind = (value: string): value is CacheKind =>
  (CACHE_KINDS as readonly string[]).includes(value);

/** A bulk change of a queue (a purge) beginning, going on or ending on some node. */
export interface BulkChangeNews {
  phase: 'begins' | 'ends';
  tenantId: string;
  serviceName: string;
}

/** A queue whose callbacks changed on some node. */
export interface ChangedQueue {
  tenantId: string;
  serviceName: string;
}

// PostgreSQL refuses a NOTIFY payload of 8 000 bytes or more: larger batches go in several.
const MAX_PAYLOAD_BYTES = 7_000;

/** The news in a message: 'own' if this node sent it, undefined if it holds none. */
function queueNews(
  payload: string,
  self: string,
): BulkChangeNews | ChangedQueue[] | 'own' | undefined {
  if (!payload.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(payload) as Record<string, unknown>;
    const { bulk: phase, tenant: tenantId, queue: serviceName, changed, node } = m;
    if (node === self) return 'own';
    if (Array.isArray(changed)) return changedQueues(changed);
    if (
      (phase !== 'begins' && phase !== 'ends') ||
      typeof tenantId !== 'string' ||
      typeof serviceName !== 'string'
    ) {
      return undefined;
    }
    return { phase, tenantId, serviceName };
  } catch {
    return undefined;
  }
}

function changedQueues(changed: unknown[]): ChangedQueue[] {
  const queues: ChangedQueue[] = [];
  for (const pair of changed) {
    if (!Array.isArray(pair)) continue;
    const [tenantId, serviceName] = pair as unknown[];
    if (typeof tenantId === 'string' && typeof serviceName === 'string') {
      queues.push({ tenantId, serviceName });
    }
  }
  return queues;
}

/**
 * Cache invalidation across nodes: a change forgets the cached records on this node at once and,
 * on PostgreSQL, on every other node as soon as it hears (LISTEN/NOTIFY). The caches' short
 * lifetimes remain the safety net for a missed message (and the only mechanism on SQLite, where
 * the CLI is the only other writer).
 *
 * The same channel carries the news of queues whose callbacks changed, in batches, so that every
 * node recounts their figures (QueueActivity), and of bulk changes of a queue: while one runs on
 * any node, every node keeps the queue's figures as they were instead of recounting them.
 */
export class Invalidation {
  private readonly handlers = new Map<CacheKind, (() => void)[]>();
  private readonly bulkHandlers: ((news: BulkChangeNews) => void)[] = [];
  private readonly changeHandlers: ((queues: readonly ChangedQueue[]) => void)[] = [];
  private readonly missedHandlers: (() => void)[] = [];
  // This node's own news comes back on the channel; the node already knows it.
  private readonly node = randomUUID();
  private sending = Promise.resolve();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Registers what to forget when `kind` changes. */
  on(kind: CacheKind, forget: () => void): void {
    this.handlers.set(kind, [...(this.handlers.get(kind) ?? []), forget]);
  }

  /** Forgets `kind` here and tells the other nodes. */
  async publish(kind: CacheKind): Promise<void> {
    this.fire(kind);
    // A node that misses it still forgets within the cache lifetime: never fail the change.
    await this.db
      .notify(INVALIDATION_CHANNEL, kind)
      .catch((err: unknown) =>
        this.log.warn(
          { ...errorContext(err), kind },
          'telling the other nodes of a change failed; they forget it within the cache lifetime',
        ),
      );
  }

  /** Registers what to do when another node tells of a bulk change. */
  onBulkChange(hear: (news: BulkChangeNews) => void): void {
    this.bulkHandlers.push(hear);
  }

  /** Registers what to do when another node tells of queues it changed. */
  onQueuesChanged(hear: (queues: readonly ChangedQueue[]) => void): void {
    this.changeHandlers.push(hear);
  }

  /** Registers what to do when news from the other nodes may have been missed. */
  onMissedNews(hear: () => void): void {
    this.missedHandlers.push(hear);
  }

  /** Tells the other nodes of a bulk change on this one. */
  announce({ phase, tenantId, serviceName }: BulkChangeNews): Promise<void> {
    const message = { bulk: phase, tenant: tenantId, queue: serviceName, node: this.node };
    // A node that misses it recounts the queue's figures by age, as without the news.
    return this.send(JSON.stringify(message), { tenantId, serviceName, phase });
  }

  /** Tells the other nodes of queues whose callbacks changed on this one. */
  announceChanged(queues: readonly ChangedQueue[]): Promise<void> {
    let batch: [string, string][] = [];
    let bytes = 0;
    const flush = () => {
      if (batch.length === 0) return;
      // A node that misses it recounts these queues' figures by age.
      void this.send(JSON.stringify({ changed: batch, node: this.node }), {
        queues: batch.length,
      });
      batch = [];
      bytes = 0;
    };
    for (const { tenantId, serviceName } of queues) {
      // The pair as it is written in the message, and its comma.
      const pairBytes = Buffer.byteLength(JSON.stringify([tenantId, serviceName])) + 1;
      if (bytes + pairBytes > MAX_PAYLOAD_BYTES) flush();
      batch.push([tenantId, serviceName]);
      bytes += pairBytes;
    }
    flush();
    return this.sending;
  }

  /** Sends news in order: an end overtaking its beginning would hold figures on other nodes. */
  private send(payload: string, context: Record<string, unknown>): Promise<void> {
    this.sending = this.sending
      .then(() => this.db.notify(INVALIDATION_CHANNEL, payload))
      .catch((err: unknown) =>
        this.log.warn(
          { ...errorContext(err), ...context },
          'telling the other nodes of changed queues failed; they recount them by age',
        ),
      );
    return this.sending;
  }

  /** Starts hearing the other nodes. */
  async start(): Promise<void> {
    this.stopListening ??= await this.db.listen(INVALIDATION_CHANNEL, (payload) => {
      const news = queueNews(payload, this.node);
      if (news === 'own') return;
      if (Array.isArray(news)) for (const hear of this.changeHandlers) hear(news);
      else if (news) for (const hear of this.bulkHandlers) hear(news);
      else if (isKind(payload)) this.fire(payload);
      else {
        for (const kind of CACHE_KINDS) this.fire(kind);
        for (const hear of this.missedHandlers) hear();
      }
    });
  }

  /** Stops hearing them. */
  async stop(): Promise<void> {
    await this.stopListening?.();
    this.stopListening = undefined;
  }

  private fire(kind: CacheKind): void {
    for (const forget of this.handlers.get(kind) ?? []) forget();
  }
}
