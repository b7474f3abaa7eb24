import { sql } from 'kysely';
import type { Db } from '../db.js';

/** Requests to count in a bucket's window. */
export interface CounterHits {
  bucket: string;
  windowStart: number;
  expiresAt: number;
  hits: number;
}

/** A bucket's count in a window, as the database has it. */
export interface CounterCount {
  bucket: string;
  windowStart: number;
  hits: number;
}

/** Rate-limit counters shared by every node. */
export class RateLimitRepo {
  constructor(private readonly db: Db) {}

  /**
   * Adds each bucket's hits to its window and returns each count including them: one upsert for
   * all of them, atomic per row, so concurrent nodes never lose a count. The rows are locked in
   * one order (bucket, window) so that two nodes' multi-row upserts cannot deadlock.
   */
  async add(hits: readonly CounterHits[]): Promise<CounterCount[]> {
    if (hits.length === 0) return [];
    const sorted = [...hits].sort((a, b) =>
      a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.windowStart - b.windowStart,
    );
    const rows = await this.db.kysely
      .insertInto('rate_limit_counters')
      .values(
        sorted.map((h) => ({
          bucket: h.bucket,
          window_start: h.windowStart,
          hits: h.hits,
          expires_at: h.expiresAt,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['bucket', 'window_start'])
          .doUpdateSet({ hits: sql<number>`rate_limit_counters.hits + excluded.hits` }),
      )
      .returning(['bucket', 'window_start', 'hits'])
      .execute();
    return rows.map((r) => ({
      bucket: r.bucket,
      windowStart: Number(r.window_start),
      hits: Number(r.hits),
    }));
  }

  /** Deletes the counters of windows that ended before `nowMs`; returns how many. */
  async purgeExpired(nowMs: number): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('rate_limit_counters')
      .where('expires_at', '<', nowMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
