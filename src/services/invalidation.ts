import type { Db } from '../store/db.js';

/** The caches a node keeps of records any node (or the CLI) may change. */
export const CACHE_KINDS = ['api-keys', 'queues', 'cors', 'tenant-settings'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

const CHANNEL = 'opencallback_invalidate';
const isKind = (value: string): value is CacheKind =>
  (CACHE_KINDS as readonly string[]).includes(value);

/**
 * Cache invalidation across nodes: a change forgets the cached records on this node at once and,
 * on PostgreSQL, on every other node as soon as it hears (LISTEN/NOTIFY). The caches' short
 * lifetimes remain the safety net for a missed message (and the only mechanism on SQLite, where
 * the CLI is the only other writer).
 */
export class Invalidation {
  private readonly handlers = new Map<CacheKind, (() => void)[]>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly db: Db) {}

  /** Registers what to forget when `kind` changes. */
  on(kind: CacheKind, forget: () => void): void {
    this.handlers.set(kind, [...(this.handlers.get(kind) ?? []), forget]);
  }

  /** Forgets `kind` here and tells the other nodes. */
  async publish(kind: CacheKind): Promise<void> {
    this.fire(kind);
    // A node that misses it still forgets within the cache lifetime: never fail the change.
    await this.db.notify(CHANNEL, kind).catch(() => undefined);
  }

  /** Starts hearing the other nodes. */
  async start(): Promise<void> {
    this.stopListening ??= await this.db.listen(CHANNEL, (payload) => {
      if (isKind(payload)) this.fire(payload);
      else for (const kind of CACHE_KINDS) this.fire(kind);
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
