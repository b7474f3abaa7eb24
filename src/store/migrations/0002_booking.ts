import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/** Queues (callback services) and callbacks with their event outbox. */
export function booking(engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('queues')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('queues_pk', ['tenant_id', 'name'])
        .execute();

      await db.schema
        .createTable('callbacks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('service_name', 'text', (c) => c.notNull())
        .addColumn('phone_number', 'text', (c) => c.notNull())
        .addColumn('desired_time', 'bigint', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('immediate', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('slot_start', 'bigint')
        .addColumn('user_data', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('claimed_at', 'bigint')
        .addColumn('upcoming_notified_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .execute();
      // Dispatch order within a queue: priority first, then when the customer first asked.
      await db.schema
        .createIndex('callbacks_dispatch')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'state', 'priority desc', 'requested_at', 'id'])
        .execute();
      // EWT reads the queue's latest connected calls; the immediate-queue limit counts waiting
      // immediate callbacks. Both are answered from the index alone.
      await db.schema
        .createIndex('callbacks_completions')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'reason', 'completed_at'])
        .execute();
      await db.schema
        .createIndex('callbacks_immediate')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'immediate', 'state'])
        .execute();
      // A dialer claims across many queues at once: the tenant's waiting callbacks in dispatch
      // order, so the first one of the dialer's queues is found without sorting them all.
      await db.schema
        .createIndex('callbacks_claim_order')
        .on('callbacks')
        .columns(['tenant_id', 'priority desc', 'requested_at', 'id'])
        .where(sql.ref('state'), '=', 'QUEUED')
        .execute();
      await db.schema
        .createIndex('callbacks_phone')
        .on('callbacks')
        // created_at last: the daily throttle counts one number's bookings since midnight.
        .columns(['tenant_id', 'phone_number', 'service_name', 'created_at'])
        .execute();
      await db.schema
        .createIndex('callbacks_slot')
        .on('callbacks')
        .columns(['tenant_id', 'service_name', 'slot_start'])
        .where(sql.ref('completed_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('callbacks_due')
        .on('callbacks')
        .columns(['state', 'desired_time'])
        .execute();
      await db.schema
        .createIndex('callbacks_tenant_created')
        .on('callbacks')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('callbacks_completed')
        .on('callbacks')
        .columns(['completed_at'])
        .where(sql.ref('completed_at'), 'is not', null)
        .execute();

      await db.schema
        .createTable('callback_events')
        .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
          engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('callback_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('dispatched_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('callback_events_undispatched')
        .on('callback_events')
        .column('id')
        .where(sql.ref('dispatched_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('callback_events_callback')
        .on('callback_events')
        .columns(['tenant_id', 'callback_id'])
        .execute();
    },
  };
}
