import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Request counters of the Engagement API rate limits, one row per bucket (key, address or phone
 * number of a tenant) and fixed window, so every node counts the same requests. The counts are
 * worth nothing after a crash, so on PostgreSQL the table is UNLOGGED: no WAL for the one write
 * each request makes (it is emptied after a crash, which only forgives a window).
 */
export function rateLimits(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (engine === 'postgres') {
        await sql`create unlogged table rate_limit_counters (
          bucket text not null,
          window_start bigint not null,
          hits integer not null,
          expires_at bigint not null,
          primary key (bucket, window_start)
        )`.execute(db);
      } else {
        await db.schema
          .createTable('rate_limit_counters')
          .addColumn('bucket', 'text', (c) => c.notNull())
          .addColumn('window_start', 'integer', (c) => c.notNull())
          .addColumn('hits', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('rate_limit_counters_pk', ['bucket', 'window_start'])
          .execute();
      }
      await db.schema
        .createIndex('rate_limit_counters_expiry')
        .on('rate_limit_counters')
        .column('expires_at')
        .execute();
    },
  };
}
