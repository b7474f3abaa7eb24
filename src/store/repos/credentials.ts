import type { Insertable, Selectable } from 'kysely';
import type { Db, Queryable } from '../db.js';
import type { CredentialsTable } from '../schema.js';

export type CredentialRow = Selectable<CredentialsTable>;

/** Integration credentials per tenant and feature (secrets arrive sealed), and tenant settings. */
export class CredentialRepo {
  constructor(private readonly db: Db) {}

  /** One credential, or undefined. */
  get(
    tenantId: string,
    feature: string,
    q: Queryable = this.db.kysely,
  ): Promise<CredentialRow | undefined> {
    return q
      .selectFrom('credentials')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('feature', '=', feature)
      .executeTakeFirst();
  }

  /** A tenant's credentials, by feature. */
  list(tenantId: string): Promise<CredentialRow[]> {
    return this.db.kysely
      .selectFrom('credentials')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('feature')
      .execute();
  }

  /** Inserts or replaces a credential. */
  async upsert(row: Insertable<CredentialsTable>, q: Queryable = this.db.kysely): Promise<void> {
    const changes = {
      settings: row.settings,
      secret: row.secret,
      key_id: row.key_id,
      fingerprint: row.fingerprint,
      updated_at: row.updated_at,
    };
    await q
      .insertInto('credentials')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'feature']).doUpdateSet(changes))
      .execute();
  }

  /** Removes a credential; false when there was none. */
  async remove(tenantId: string, feature: string, q: Queryable = this.db.kysely): Promise<boolean> {
    const result = await q
      .deleteFrom('credentials')
      .where('tenant_id', '=', tenantId)
      .where('feature', '=', feature)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Every credential (of any tenant) wrapped with another master key than `currentKeyId`, or
   * whose fingerprint lacks `fingerprintPrefix` (made by an earlier version).
   */
  needingUpkeep(currentKeyId: string, fingerprintPrefix: string): Promise<CredentialRow[]> {
    return this.db.kysely
      .selectFrom('credentials')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('key_id', '!=', currentKeyId),
          eb('fingerprint', 'not like', `${fingerprintPrefix}%`),
        ]),
      )
      .execute();
  }

  /** Replaces a sealed secret with its re-wrapped form, unless the credential changed meanwhile. */
  async rewrapped(
    row: Pick<CredentialRow, 'tenant_id' | 'feature' | 'secret'>,
    secret: string,
    keyId: string,
    fingerprint: string,
  ): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('credentials')
      .set({ secret, key_id: keyId, fingerprint })
      .where('tenant_id', '=', row.tenant_id)
      .where('feature', '=', row.feature)
      .where('secret', '=', row.secret)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The tenant's settings document (e.g. captchaRequired); empty when unset or unreadable. */
  async tenantSettings(tenantId: string): Promise<Record<string, unknown>> {
    const row = await this.db.kysely
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    return parseSettings(row?.settings);
  }

  /** Merges `patch` into the tenant's settings document without losing concurrent changes. */
  async mergeTenantSettings(tenantId: string, patch: Record<string, unknown>): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.db.lock(trx, `tenant-settings:${tenantId}`);
      const row = await trx
        .selectFrom('tenants')
        .select('settings')
        .where('id', '=', tenantId)
        .executeTakeFirst();
      const settings = { ...parseSettings(row?.settings), ...patch };
      await trx
        .updateTable('tenants')
        .set({ settings: JSON.stringify(settings) })
        .where('id', '=', tenantId)
        .execute();
    });
  }
}

function parseSettings(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
