import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The events not yet handed on get a table of their own (`callback_event_outbox`: one id each,
 * added by a trigger with every event, deleted when the dispatcher takes it) instead of a
 * `dispatched_at` mark on the event. On PostgreSQL the mark was an update of a wide event row
 * that no index change could avoid (the pending index names the column), so every event was
 * written twice with its indexes: during a purge of 1 000 000 callbacks, 13 s of the database's
 * time for the marks alone. Inserting and deleting a one-column row is far cheaper, and
 * `callback_events` becomes insert-only.
 *
 * Dropping the column rewrites `callback_events` on SQLite (about a second per million events
 * on the reference machine), during which the store answers nothing else.
 */
export function eventOutbox(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('callback_event_outbox')
        .addColumn('event_id', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
        .execute();
      await sql`insert into callback_event_outbox (event_id)
        select id from callback_events where dispatched_at is null`.execute(db);
      await db.schema.dropIndex('callback_events_undispatched').execute();
      await db.schema.alterTable('callback_events').dropColumn('dispatched_at').execute();
      // Every event enters the outbox in the transaction that writes it, whoever writes it.
      if (engine === 'postgres') {
        await sql`create function callback_events_enter_outbox() returns trigger
          language plpgsql as $$
          begin
            insert into callback_event_outbox (event_id) select id from new_events;
            return null;
          end $$`.execute(db);
        // Once per statement: a bulk change writes thousands of events in one.
        await sql`create trigger callback_events_enter_outbox after insert on callback_events
          referencing new table as new_events for each statement
          execute function callback_events_enter_outbox()`.execute(db);
      } else {
        await sql`create trigger callback_events_enter_outbox after insert on callback_events
          begin insert into callback_event_outbox (event_id) values (new.id); end`.execute(db);
      }
    },
  };
}
