import { sql, type Kysely } from 'kysely';

/**
 * Retention deletes a queue's callbacks completed before a cut-off, and the queue report counts
 * a queue's completions of a day. Both ask for one queue's completions by time, which the
 * all-tenants `callbacks_completed (completed_at)` index could not answer: at a million rows the
 * first retention pass walked each queue's completions through `callbacks_completions` (reason
 * before completed_at) and held the store for seconds at start-up.
 */
export function retentionIndex() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('callbacks_completed_in_queue')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'completed_at'])
        .where(sql.ref('completed_at'), 'is not', null)
        .execute();
      await db.schema.dropIndex('callbacks_completed').execute();
    },
  };
}
