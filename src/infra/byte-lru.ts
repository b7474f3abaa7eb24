/**
 * Remembered values within a byte budget: when a new value would exceed it, the values used
 * longest ago go first. Sizes are the caller's estimate of what a value holds in memory (a
 * thousand queues' figures and answers must not grow the process without bound, bench/README.md).
 */
export class ByteLru<K, V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private used = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly sizeOf: (value: V) => number,
    /** Told of each value evicted or replaced, so what was derived from it can go too. */
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {}

  /** The value under `key` (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value under `key` without counting it as used. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Remembers `value` under `key`, evicting the least recently used beyond the budget. */
  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    // A value larger than the whole budget is not remembered at all.
    if (bytes > this.budgetBytes) return;
    this.entries.set(key, { value, bytes });
    this.used += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.budgetBytes) break;
      this.remove(oldest, entry);
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.remove(key, entry);
  }

  /** Bytes remembered now (the sum of the estimates). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: K, entry: { value: V; bytes: number }): void {
    this.entries.delete(key);
    this.used -= entry.bytes;
    this.onEvict(key, entry.value);
  }
}
