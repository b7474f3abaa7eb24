import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely';
import type { Db } from '../db.js';
import type { AuditLogTable, ErrorLogTable } from '../schema.js';

export type ErrorLogRow = Selectable<ErrorLogTable>;
export type AuditLogRow = Selectable<AuditLogTable>;

/** A page request: newest first, continuing below the `before` id. */
export interface PageQuery {
  limit: number;
  before?: string | undefined;
}

/** What the error log can be narrowed by; every given field must match. */
export interface ErrorFilter {
  /** The correlation ID starts with this (any case). */
  corrIdPrefix?: string | undefined;
  /** The request URL (path and query) starts with this (any case). */
  pathPrefix?: string | undefined;
  /** HTTP status range, inclusive (one status: both the same). */
  statusFrom?: number | undefined;
  statusTo?: number | undefined;
  /** Catalogue code. */
  code?: number | undefined;
  /** Logged at or after this instant and before `to` (epoch ms). */
  from?: number | undefined;
  to?: number | undefined;
}

/** A LIKE pattern matching text that starts with `prefix`, lower-cased, wildcards escaped. */
function likePrefix(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The Engagement API error log and the admin audit log. */
export class LogRepo {
  constructor(private readonly db: Db) {}

  /** Stores one error response. */
  async insertError(row: Insertable<ErrorLogTable>): Promise<void> {
    await this.db.kysely.insertInto('error_log').values(row).execute();
  }

  /** A tenant's errors, newest first, narrowed by `filter`. */
  listErrors(tenantId: string, page: PageQuery & ErrorFilter): Promise<ErrorLogRow[]> {
    let query = this.db.kysely
      .selectFrom('error_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(page.limit);
    if (page.before !== undefined) query = query.where('id', '<', page.before);
    // Prefixes compare case-insensitively on both engines (SQLite's LIKE already does). A
    // tenant's log is capped, so these filters read at most that many rows of the tenant.
    if (page.corrIdPrefix !== undefined) {
      query = query.where(
        sql<SqlBool>`lower(corr_id) like ${likePrefix(page.corrIdPrefix)} escape '\\'`,
      );
    }
    if (page.pathPrefix !== undefined) {
      query = query.where(sql<SqlBool>`lower(url) like ${likePrefix(page.pathPrefix)} escape '\\'`);
    }
    if (page.statusFrom !== undefined) query = query.where('http_status', '>=', page.statusFrom);
    if (page.statusTo !== undefined) query = query.where('http_status', '<=', page.statusTo);
    if (page.code !== undefined) query = query.where('code', '=', page.code);
    if (page.from !== undefined) query = query.where('created_at', '>=', page.from);
    if (page.to !== undefined) query = query.where('created_at', '<', page.to);
    return query.execute();
  }

  /** One error of a tenant. */
  getError(tenantId: string, id: string): Promise<ErrorLogRow | undefined> {
    return this.db.kysely
      .selectFrom('error_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Deletes a tenant's errors older than `olderThanMs` and beyond the newest `keep`. */
  async pruneErrors(tenantId: string, olderThanMs: number, keep: number): Promise<number> {
    const byAge = await this.db.kysely
      .deleteFrom('error_log')
      .where('tenant_id', '=', tenantId)
      .where('created_at', '<', olderThanMs)
      .executeTakeFirst();
    const cutoff = await this.db.kysely
      .selectFrom('error_log')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    let byCount = 0n;
    if (cutoff) {
      const result = await this.db.kysely
        .deleteFrom('error_log')
        .where('tenant_id', '=', tenantId)
        .where('id', '<=', cutoff.id)
        .executeTakeFirst();
      byCount = result.numDeletedRows;
    }
    return Number(byAge.numDeletedRows + byCount);
  }

  /** Tenants that have errors, for the pruning job. */
  async tenantsWithErrors(): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('error_log')
      .select('tenant_id')
      .distinct()
      .execute();
    return rows.map((r) => r.tenant_id);
  }

  /** Records one admin action. */
  async insertAudit(row: Insertable<AuditLogTable>): Promise<void> {
    await this.db.kysely.insertInto('audit_log').values(row).execute();
  }

  /** A tenant's admin actions, newest first. */
  listAudit(tenantId: string, page: PageQuery): Promise<AuditLogRow[]> {
    let query = this.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(page.limit);
    if (page.before !== undefined) query = query.where('id', '<', page.before);
    return query.execute();
  }
}
