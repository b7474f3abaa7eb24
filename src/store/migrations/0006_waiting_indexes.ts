import { sql, type Kysely } from 'kysely';

/**
 * The columns, then `completed_at` (always NULL in these indexes). SQLite answers a statement from
 * the index alone only when every column it names is in the index, the predicate's too: without
 * it, counting a queue's 500 000 waiting callbacks would read each one's row.
 */
function withPredicateColumn(columns: string[]): string[] {
  return [...columns, 'completed_at'];
}

/**
 * Indexes that only waiting callbacks need now hold only waiting callbacks.
 *
 * A busy tenant keeps a million completed callbacks for every few thousand waiting ones, and
 * every booking and every state change wrote an entry into each of the ten indexes on
 * `callbacks`. On PostgreSQL a state change is never a HOT update (state is indexed), so it
 * writes a new entry into every index whose predicate the new row meets. Partial indexes cut
 * that: a booking now writes six entries instead of nine, and a completion (the end-of-day
 * purge of a million callbacks) five instead of eight.
 *
 * - `callbacks_dispatch`: only callbacks not yet completed; `callbacks_immediate` only active
 *   immediate ones (what maxQueuedImmediate counts), without the state, which it does not need.
 * - `callbacks_completions`: only completed callbacks (it answers the latest connected calls).
 * - `callbacks_slot`: only callbacks holding a slot.
 * - `callbacks_due (state, desired_time)` becomes two single-state indexes: SCHEDULED callbacks
 *   by desired time (promotion) and ROUTING callbacks by lease expiry (lease recovery), so
 *   QUEUED and completed callbacks are in neither.
 * - New, `callbacks_claimed_in_queue`: only callbacks a dialer claimed.
 * - `callback_events_undispatched` also holds `dispatched_at`, so it answers alone.
 *
 * SQLite uses a partial index only for a statement that repeats its predicate, so the reads of
 * waiting callbacks name `completed_at is null` (see `notCompleted`); `query-plans.test.ts`
 * checks which index each of them uses. Rebuilding took 2.3 s for a million callbacks on SQLite.
 */
export function waitingIndexes() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const name of [
        'callbacks_dispatch',
        'callbacks_immediate',
        'callbacks_completions',
        'callbacks_slot',
        'callbacks_due',
        'callback_events_undispatched',
      ]) {
        await db.schema.dropIndex(name).execute();
      }
      await db.schema
        .createIndex('callbacks_dispatch')
        .on('callbacks')
        .columns(
          withPredicateColumn([
            'tenant_id',
            'service_name',
            'state',
            'priority desc',
            'requested_at',
            'id',
            // The time-to-live job filters a queue's waiting callbacks by desired time.
            'desired_time',
          ]),
        )
        .where(sql.ref('completed_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('callbacks_immediate')
        .on('callbacks')
        .columns(withPredicateColumn(['tenant_id', 'service_name']))
        .where(sql.ref('immediate'), '=', 1)
        .where(sql.ref('completed_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('callbacks_completions')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'reason', 'completed_at'])
        .where(sql.ref('completed_at'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('callbacks_slot')
        .on('callbacks')
        .columns(withPredicateColumn(['tenant_id', 'service_name', 'slot_start']))
        .where(sql.ref('completed_at'), 'is', null)
        .where(sql.ref('slot_start'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('callbacks_scheduled_due')
        .on('callbacks')
        .column('desired_time')
        .where(sql.ref('state'), '=', 'SCHEDULED')
        .execute();
      await db.schema
        .createIndex('callbacks_lease_expiry')
        .on('callbacks')
        .column('lease_expires_at')
        .where(sql.ref('state'), '=', 'ROUTING')
        .execute();
      // The statistics' average wait of the callbacks a queue's dialers claimed today: without
      // it, every statistics read and /metrics scrape walked each queue's whole history.
      await db.schema
        .createIndex('callbacks_claimed_in_queue')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'claimed_at', 'desired_time'])
        .where(sql.ref('claimed_at'), 'is not', null)
        .execute();
      // The outbox dispatcher's next events, answered from the index alone (the predicate's
      // column included, as above): it read every pending event's row, payload and all.
      await db.schema
        .createIndex('callback_events_undispatched')
        .on('callback_events')
        .columns(['id', 'dispatched_at'])
        .where(sql.ref('dispatched_at'), 'is', null)
        .execute();
    },
  };
}
