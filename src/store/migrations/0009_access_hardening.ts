import type { Kysely } from 'kysely';

/**
 * Access hardening (issue 17): API keys get a kind (`browser` keys sit in web pages and may only
 * act on what their holder already knows; `server` keys do the rest), console users can be
 * disabled, and the error log notes which key prefix an unauthenticated entry was shown for.
 * Keys that exist become `server` keys: they were made before browser keys existed and may be
 * used by server-side GES callers, which must keep working after the upgrade.
 */
export function accessHardening() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('api_keys')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('server'))
        .execute();
      // A bad key is matched to its tenant by its public prefix, so its failure can be shown there.
      await db.schema.createIndex('api_keys_prefix').on('api_keys').column('key_prefix').execute();
      await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
      await db.schema.alterTable('error_log').addColumn('key_prefix', 'text').execute();
    },
  };
}
