import type { Selectable } from 'kysely';
import type { Db, Queryable } from '../db.js';
import type { TenantsTable } from '../schema.js';

export type TenantRow = Selectable<TenantsTable>;

/** Tenants: the root of every other record. */
export class TenantRepo {
  constructor(private readonly db: Db) {}

  /** One tenant, or undefined. */
  get(tenantId: string, q: Queryable = this.db.kysely): Promise<TenantRow | undefined> {
    return q.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
  }

  /** Every tenant, by id. */
  list(): Promise<TenantRow[]> {
    return this.db.kysely.selectFrom('tenants').selectAll().orderBy('id').execute();
  }

  /** Number of tenants (an empty store gets the demo tenant). */
  async count(): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Inserts a tenant; false when the id is taken. */
  async insert(row: TenantRow, q: Queryable = this.db.kysely): Promise<boolean> {
    const result = await q
      .insertInto('tenants')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Updates the descriptive fields of a tenant. */
  async update(
    tenantId: string,
    patch: Partial<Pick<TenantRow, 'name' | 'timezone' | 'settings' | 'source'>>,
    q: Queryable = this.db.kysely,
  ): Promise<void> {
    await q.updateTable('tenants').set(patch).where('id', '=', tenantId).execute();
  }

  /** Records the outcome of a tenant-configuration refresh. */
  async setConfigStatus(
    tenantId: string,
    status: { refreshedAt?: number; error: string | null },
    q: Queryable = this.db.kysely,
  ): Promise<void> {
    await q
      .updateTable('tenants')
      .set({
        config_error: status.error,
        ...(status.refreshedAt === undefined ? {} : { config_refreshed_at: status.refreshedAt }),
      })
      .where('id', '=', tenantId)
      .execute();
  }
}
