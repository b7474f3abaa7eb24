import type { Capabilities } from '../store/engine.js';

/**
 * The size of the next batch of a long bulk change (a purge, a bulk cancel), adapted to how long
 * the last full batch took. A batch holds the store (SQLite has one writer) and the event loop
 * while its rows are read, written and turned into events, so a request arriving meanwhile waits
 * about one batch: batches grow while they finish well within `targetMs` and shrink when one
 * overruns it, so a fast engine purges in big batches and a slow one keeps requests waiting
 * milliseconds.
 */
export class BatchSize {
  private size: number;

  // Never below the fixed 100 rows bulk changes used before: smaller batches only add overhead.
  constructor(
    private readonly targetMs = 20,
    private readonly min = 100,
    private readonly max = 2_000,
  ) {
    this.size = min * 2;
  }

  /** How many rows the next batch takes. */
  get next(): number {
    return this.size;
  }

  /** Learns from a batch of `rows` (asked for `limit`) that took `ms`. */
  took(ms: number, rows: number, limit: number): void {
    // A short batch was the last one: it says nothing about speed.
    if (rows < limit) return;
    if (ms < this.targetMs / 2) this.size = Math.min(this.max, this.size * 2);
    else if (ms > this.targetMs) this.size = Math.max(this.min, Math.floor(this.size / 2));
  }
}

/**
 * Batches for the engine. On SQLite a batch holds the one writer and the event loop, so it is
 * kept to ~20 ms. On PostgreSQL requests go on beside it (a purge only locks the rows it
 * changes), and each batch costs its round trips and a commit: up to ~250 ms and `maxRows`
 * (10 000 unless the caller's rows cost the service more than a purge's ids).
 */
export function batchSizeFor(caps: Capabilities, maxRows = 10_000): BatchSize {
  return caps.synchronous ? new BatchSize() : new BatchSize(250, 100, maxRows);
}
