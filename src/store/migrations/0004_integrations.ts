import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/** Encrypted integration credentials, the push delivery log and click-to-call-in. */
export function integrations(_engine: Engine) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('credentials')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('feature', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('credentials_pk', ['tenant_id', 'feature'])
        .execute();

      await db.schema
        .createTable('push_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('callback_id', 'text')
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The retry job looks for due retries across tenants.
      await db.schema
        .createIndex('push_deliveries_due')
        .on('push_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('push_deliveries_callback')
        .on('push_deliveries')
        .columns(['tenant_id', 'callback_id'])
        .execute();

      await db.schema
        .createTable('call_in_groups')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('numbers', 'text', (c) => c.notNull())
        .addColumn('access_code_enabled', 'integer', (c) => c.notNull())
        .addColumn('access_code_length', 'integer', (c) => c.notNull())
        .addColumn('expiry_seconds', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_in_groups_pk', ['tenant_id', 'name'])
        .execute();

      await db.schema
        .createTable('call_in_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addColumn('to_phone_number', 'text', (c) => c.notNull())
        .addColumn('access_code', 'text')
        .addColumn('from_phone_number', 'text')
        .addColumn('user_data', 'text', (c) => c.notNull())
        .addColumn('callback_service_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('matched_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // Allocation and matching both look up the live requests on a number.
      await db.schema
        .createIndex('call_in_requests_number')
        .on('call_in_requests')
        .columns(['tenant_id', 'to_phone_number', 'status', 'expires_at'])
        .execute();
      await db.schema
        .createIndex('call_in_requests_tenant')
        .on('call_in_requests')
        .columns(['tenant_id', 'id'])
        .execute();
      await db.schema
        .createIndex('call_in_requests_expiry')
        .on('call_in_requests')
        .columns(['expires_at'])
        .execute();
    },
  };
}
