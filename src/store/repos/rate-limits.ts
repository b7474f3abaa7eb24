import { sql } from 'kysely';
import type { Db } from '../db.js';

/** One request counted in a bucket's window. */
export interface CounterHit {
  bucket: string;
  windowStart: number;
  expiresAt: number;
}

/** Rate-limit counters shared by every node. */
export class RateLimitRepo {
  constructor(private readonly db: Db) {}

  /**
   * Counts one request in each bucket's window and returns each bucket's count including it: one
   * upsert for all of them, atomic per row, so concurrent nodes never lose a count.
   */
  async hit(hits: readonly CounterHit[]): Promise<Map<string, number>> {
    if (hits.length === 0) return new Map();
    const rows = await this.db.kysely
      .insertInto('rate_limit_counters')
      .values(
        hits.map((h) => ({
          bucket: h.bucket,
          window_start: h.windowStart,
          hits: 1,
          expires_at: h.expiresAt,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['bucket', 'window_start'])
          .doUpdateSet({ hits: sql<number>`rate_limit_counters.hits + 1` }),
      )
      .returning(['bucket', 'hits'])
      .execute();
    return new Map(rows.map((r) => [r.bucket, Number(r.hits)]));
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
