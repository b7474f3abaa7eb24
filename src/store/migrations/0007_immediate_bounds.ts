import type { Kysely } from 'kysely';

/**
 * An upper bound on each queue's active immediate callbacks (maxQueuedImmediate). Checking the
 * limit by counting walked one index entry per waiting callback on every immediate booking:
 * ~200 µs at a thousand waiting, most of a booking's time during a surge. Every booking that adds
 * an active immediate callback raises the bound under the queue's lock; completions never lower
 * it, so it only ever overstates, and only a bound at the limit is counted again (and corrected).
 */
export function immediateBounds() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('immediate_queue_bounds')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('service_name', 'text', (c) => c.notNull())
        .addColumn('bound', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('immediate_queue_bounds_pk', ['tenant_id', 'service_name'])
        .execute();
    },
  };
}
