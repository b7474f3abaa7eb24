import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { SessionsTable, UsersTable } from '../schema.js';

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;

/** Console users and their server-side sessions. */
export class UserRepo {
  constructor(private readonly db: Db) {}

  /** A tenant's user by username. */
  findByUsername(tenantId: string, username: string): Promise<UserRow | undefined> {
    return this.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username)
      .executeTakeFirst();
  }

  /** A tenant's user by id. */
  get(tenantId: string, userId: string): Promise<UserRow | undefined> {
    return this.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  /** A tenant's users. */
  list(tenantId: string): Promise<UserRow[]> {
    return this.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('username')
      .execute();
  }

  /** Creates or replaces (same tenant and username) a user. */
  async upsert(row: UserRow): Promise<void> {
    await this.db.kysely
      .insertInto('users')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'username'])
          .doUpdateSet({ password_hash: row.password_hash, role: row.role }),
      )
      .execute();
  }

  /** Changes a user's role; false when the tenant has no such user. */
  async setRole(tenantId: string, userId: string, role: string): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('users')
      .set({ role })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Disables (a time) or enables (null) a user; false when the tenant has no such user. */
  async setDisabled(tenantId: string, userId: string, disabledAt: number | null): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('users')
      .set({ disabled_at: disabledAt })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes a user and their sessions; false when the tenant has no such user. */
  async delete(tenantId: string, userId: string): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      await trx
        .deleteFrom('sessions')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      const result = await trx
        .deleteFrom('users')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Ends every session of a user. */
  async deleteUserSessions(tenantId: string, userId: string): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('sessions')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Stores a new session. */
  async insertSession(row: SessionRow): Promise<void> {
    await this.db.kysely.insertInto('sessions').values(row).execute();
  }

  /** The session with this token hash. */
  findSession(tokenHash: string): Promise<SessionRow | undefined> {
    return this.db.kysely
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Slides a session's idle window. */
  async touchSession(tokenHash: string, nowMs: number): Promise<void> {
    await this.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: nowMs })
      .where('token_hash', '=', tokenHash)
      .execute();
  }

  /** Ends a session. */
  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.kysely.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Removes sessions idle since before `idleSinceMs` or opened before `openedBeforeMs`. */
  async deleteIdleSessions(idleSinceMs: number, openedBeforeMs: number): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([eb('last_seen_at', '<', idleSinceMs), eb('created_at', '<', openedBeforeMs)]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
