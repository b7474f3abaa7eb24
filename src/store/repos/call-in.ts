import type { Insertable, Selectable } from 'kysely';
import type { CallInGroup } from '../../domain/call-in.js';
import type { Db, Queryable } from '../db.js';
import type { CallInGroupsTable, CallInRequestsTable } from '../schema.js';

export type CallInGroupRow = Selectable<CallInGroupsTable>;
export type CallInRequestRow = Selectable<CallInRequestsTable>;

/** Click-to-call-in groups and the requests that hold their numbers for a while. */
export class CallInRepo {
  constructor(private readonly db: Db) {}

  /** A tenant's groups, by name. */
  listGroups(tenantId: string, q: Queryable = this.db.kysely): Promise<CallInGroupRow[]> {
    return q
      .selectFrom('call_in_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
  }

  /** One group, or undefined. */
  getGroup(
    tenantId: string,
    name: string,
    q: Queryable = this.db.kysely,
  ): Promise<CallInGroupRow | undefined> {
    return q
      .selectFrom('call_in_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  /** Creates or replaces a group (keeping when it was first created). */
  async saveGroup(
    tenantId: string,
    group: CallInGroup,
    source: string,
    nowMs: number,
    q: Queryable = this.db.kysely,
  ): Promise<void> {
    const changes = {
      numbers: JSON.stringify(group.numbers),
      access_code_enabled: group.accessCodeEnabled ? 1 : 0,
      access_code_length: group.accessCodeLength,
      expiry_seconds: group.expirySeconds,
      source,
      updated_at: nowMs,
    };
    await q
      .insertInto('call_in_groups')
      .values({ tenant_id: tenantId, name: group.name, created_at: nowMs, ...changes })
      .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet(changes))
      .execute();
  }

  /** Deletes a group; false when there was none. */
  async deleteGroup(tenantId: string, name: string, q: Queryable = this.db.kysely) {
    const result = await q
      .deleteFrom('call_in_groups')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The number and code of every request still holding one of `numbers` at `nowMs`. */
  liveOnNumbers(
    q: Queryable,
    tenantId: string,
    numbers: readonly string[],
    nowMs: number,
  ): Promise<{ to_phone_number: string; access_code: string | null }[]> {
    if (numbers.length === 0) return Promise.resolve([]);
    return q
      .selectFrom('call_in_requests')
      .select(['to_phone_number', 'access_code'])
      .where('tenant_id', '=', tenantId)
      .where('to_phone_number', 'in', numbers)
      .where('status', '=', 'live')
      .where('expires_at', '>', nowMs)
      .execute();
  }

  /** Stores a new request. */
  async insertRequest(row: Insertable<CallInRequestsTable>, q: Queryable = this.db.kysely) {
    await q.insertInto('call_in_requests').values(row).execute();
  }

  /** Live requests on a number (with a given access code, or without one), newest first. */
  findLive(
    tenantId: string,
    toPhoneNumber: string,
    accessCode: string | null,
    nowMs: number,
  ): Promise<CallInRequestRow[]> {
    return this.db.kysely
      .selectFrom('call_in_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('to_phone_number', '=', toPhoneNumber)
      .where('access_code', accessCode === null ? 'is' : '=', accessCode)
      .where('status', '=', 'live')
      .where('expires_at', '>', nowMs)
      .orderBy('id', 'desc')
      .execute();
  }

  /** Marks a live, unexpired request matched; false when another caller got there first. */
  async consume(tenantId: string, id: string, nowMs: number): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('call_in_requests')
      .set({ status: 'matched', matched_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'live')
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** A tenant's requests, newest first, optionally of one group and before an id (paging). */
  listRequests(
    tenantId: string,
    filter: { groupName?: string | undefined; before?: string | undefined; limit: number },
  ): Promise<CallInRequestRow[]> {
    let query = this.db.kysely
      .selectFrom('call_in_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.groupName !== undefined) query = query.where('group_name', '=', filter.groupName);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    return query.execute();
  }

  /** Deletes requests (of every tenant) that expired before `beforeMs`. */
  async pruneRequests(beforeMs: number): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('call_in_requests')
      .where('expires_at', '<', beforeMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
