import type { Kysely } from 'kysely';

/**
 * Long admin operations (purge now, bulk cancel) as jobs: a row per job with its progress, so the
 * console can follow it after the request that started it has answered, and a lease so that any
 * node's scheduler finishes a job whose node died.
 */
export function adminJobs() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('admin_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('done', 'integer', (c) => c.notNull())
        .addColumn('total', 'integer')
        .addColumn('error', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      // The scheduler looks only at unfinished jobs; finished ones pile up until pruned.
      await db.schema
        .createIndex('admin_jobs_unfinished')
        .on('admin_jobs')
        .columns(['state', 'lease_expires_at'])
        .execute();
      await db.schema
        .createIndex('admin_jobs_tenant')
        .on('admin_jobs')
        .columns(['tenant_id', 'created_at'])
        .execute();
    },
  };
}
