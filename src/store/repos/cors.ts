import type { Db, Queryable } from '../db.js';

/** The browser origins each tenant allows. */
export class CorsRepo {
  constructor(private readonly db: Db) {}

  /** A tenant's origins, sorted. */
  async list(tenantId: string): Promise<{ origin: string; source: string; createdAt: number }[]> {
    const rows = await this.db.kysely
      .selectFrom('cors_origins')
      .select(['origin', 'source', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('origin')
      .execute();
    return rows.map((r) => ({ origin: r.origin, source: r.source, createdAt: r.created_at }));
  }

  /** The tenants that allow `origin`. */
  async tenantsForOrigin(origin: string): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('cors_origins')
      .select('tenant_id')
      .where('origin', '=', origin)
      .execute();
    return rows.map((r) => r.tenant_id);
  }

  /** Adds an origin; false when it was already there. */
  async add(
    tenantId: string,
    origin: string,
    source: string,
    nowMs: number,
    q: Queryable = this.db.kysely,
  ): Promise<boolean> {
    const result = await q
      .insertInto('cors_origins')
      .values({ tenant_id: tenantId, origin, source, created_at: nowMs })
      .onConflict((oc) => oc.columns(['tenant_id', 'origin']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Removes an origin; false when it was not there. */
  async remove(tenantId: string, origin: string, q: Queryable = this.db.kysely): Promise<boolean> {
    const result = await q
      .deleteFrom('cors_origins')
      .where('tenant_id', '=', tenantId)
      .where('origin', '=', origin)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
