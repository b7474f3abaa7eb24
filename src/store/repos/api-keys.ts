import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { ApiKeysTable } from '../schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** API keys, stored only as SHA-256 hashes. */
export class ApiKeyRepo {
  constructor(private readonly db: Db) {}

  /** The key with this hash, whichever tenant owns it: the key decides the tenant. */
  findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    return this.db.kysely
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .executeTakeFirst();
  }

  /** Tenants owning a key (active or revoked) with this public prefix; usually none or one. */
  async tenantsWithPrefix(prefix: string): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('api_keys')
      .select('tenant_id')
      .distinct()
      .where('key_prefix', '=', prefix)
      .execute();
    return rows.map((r) => r.tenant_id);
  }

  /** A tenant's keys, newest first. */
  list(tenantId: string): Promise<ApiKeyRow[]> {
    return this.db.kysely
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .execute();
  }

  /** Stores a new key. */
  async insert(row: ApiKeyRow): Promise<void> {
    await this.db.kysely.insertInto('api_keys').values(row).execute();
  }

  /** Revokes a tenant's key; false when the tenant has no such key. */
  async revoke(tenantId: string, keyId: string, nowMs: number): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('api_keys')
      .set({ revoked_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Notes when a key was last used (coarse: callers throttle it). */
  async touch(tenantId: string, keyId: string, nowMs: number): Promise<void> {
    await this.db.kysely
      .updateTable('api_keys')
      .set({ last_used_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', keyId)
      .execute();
  }
}
