/**
 * A small in-process cache with a time-to-live. Nodes share nothing, so a change made on another
 * node (or by the CLI) is seen here once the entry expires; changes made through this node call
 * `delete` and are seen at once.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  // Loads under way: when an entry expires, every request in flight for it would otherwise load
  // it again (hundreds at once for a polled queue).
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value, or undefined when absent or expired. */
  get(key: string, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Caches `value` under `key`. */
  set(key: string, value: V, nowMs: number): void {
    // Oldest-first eviction keeps memory bounded under a flood of distinct keys.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: nowMs + this.ttlMs });
  }

  /** Returns the cached value or loads, caches and returns it. */
  async getOrLoad(key: string, nowMs: number, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key, nowMs);
    if (hit !== undefined) return hit;
    const running = this.loading.get(key);
    if (running) return running;
    const loaded = load();
    this.loading.set(key, loaded);
    try {
      const value = await loaded;
      // A load overtaken by a change (delete, clear) answers its callers but is not kept.
      if (this.loading.get(key) === loaded) this.set(key, value, nowMs);
      return value;
    } finally {
      if (this.loading.get(key) === loaded) this.loading.delete(key);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }
}
