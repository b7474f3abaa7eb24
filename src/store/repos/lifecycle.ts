import { sql, type QueryResult, type SqlBool } from 'kysely';
import type { Db, Queryable, Tx } from '../db.js';
import { idsOf, recheck, idsWithinTenant, runNamed } from '../sql.js';
import {
  claimStatement,
  heldChangeStatement,
  type ClaimArgs,
  type HeldChangeArgs,
  type HeldChangeShape,
} from '../postgres/dispatch.js';
import type { EventRepo } from './events.js';
import { notCompleted, orderedBy, type CallbackRow } from './callbacks.js';
import {
  STATE,
  WAITING_STATES,
  type CallbackState,
  type OrderKey,
} from '../../domain/callback-state.js';

/** What a callback's event needs of it: not the whole row (userData, details). */
export const CHANGED_COLUMNS = [
  'id',
  'tenant_id',
  'service_name',
  'state',
  'reason',
  'desired_time',
  'attempts',
  'priority',
] as const;
export type ChangedCallback = Pick<CallbackRow, (typeof CHANGED_COLUMNS)[number]>;

/**
 * What a bulk change returns of each callback it changed: which one, and its queue. Its events
 * are built by the database (EventRepo.insertForCallbacks).
 */
const BULK_CHANGED_COLUMNS = ['id', 'tenant_id', 'service_name'] as const;
export type BulkChanged = Pick<CallbackRow, (typeof BULK_CHANGED_COLUMNS)[number]>;

/**
 * A change a dialer makes to callbacks it holds: the columns set (the same for each), whether it
 * counts an attempt (attempts + 1, from each row), and the event each changed callback gets.
 */
export interface HeldChange {
  set: Partial<Omit<CallbackRow, 'id' | 'tenant_id' | 'attempts'>>;
  addAttempt: boolean;
  eventType: string;
}

/** Which statement a held change needs: its columns, split by whether they are set to null. */
export function shapeOf(from: readonly CallbackState[], change: HeldChange): HeldChangeShape {
  const set = { ...change.set, updated_at: 0 };
  const columns = Object.keys(set).sort() as (keyof typeof set)[];
  return {
    from,
    values: columns.filter((c) => set[c] !== null),
    nulls: columns.filter((c) => set[c] === null),
    addAttempt: change.addAttempt,
  };
}

/** Which waiting callbacks a bulk completion takes. */
export interface WaitingFilter {
  tenantId: string;
  serviceName?: string | undefined;
  /** Which states it takes; WAITING_STATES (no dialer holds them yet) when absent. */
  states?: readonly CallbackState[] | undefined;
  /** Only callbacks whose desired time is before this instant. */
  desiredBefore?: number | undefined;
  ids?: readonly string[] | undefined;
  phoneNumber?: string | undefined;
  /**
   * Wait for rows another transaction holds instead of skipping them: for work that must not
   * miss a row (the end-of-day purge), where skipping is for work that may leave it to others.
   */
  waitForLocked?: boolean;
}

/** The waiting callbacks a filter matches, before choosing what to read of them. */
function waiting(q: Queryable, filter: WaitingFilter) {
  let target = q
    .selectFrom('callbacks')
    .where('tenant_id', '=', filter.tenantId)
    .where('state', 'in', filter.states ?? WAITING_STATES)
    .where(notCompleted);
  if (filter.serviceName !== undefined)
    target = target.where('service_name', '=', filter.serviceName);
  if (filter.desiredBefore !== undefined)
    target = target.where('desired_time', '<', filter.desiredBefore);
  if (filter.ids !== undefined) {
    // An empty id list selects nothing (and `in ()` is not SQL PostgreSQL accepts).
    target =
      filter.ids.length > 0
        ? target.where('id', 'in', filter.ids)
        : target.where(sql<SqlBool>`1 = 0`);
  }
  if (filter.phoneNumber !== undefined)
    target = target.where('phone_number', '=', filter.phoneNumber);
  return target;
}

/**
 * The state changes the scheduler and the dispatch API make in bulk. Row claims take
 * `FOR UPDATE SKIP LOCKED` where the engine has it, so several nodes never take the same row.
 */
export class LifecycleRepo {
  // PostgreSQL's one-statement claim and held changes (postgres/dispatch.ts), per shape.
  private readonly claimStatement;
  private readonly heldStatements = new Map<
    string,
    (q: Queryable, args: HeldChangeArgs) => Promise<QueryResult<CallbackRow>>
  >();

  constructor(
    private readonly db: Db,
    /** The order QUEUED callbacks are dialled in (the domain's DISPATCH_ORDER). */
    private readonly dispatchOrder: readonly OrderKey[],
    private readonly events: EventRepo,
  ) {
    this.claimStatement = runNamed<ClaimArgs, { callbacks: CallbackRow[] }>(
      claimStatement(db.kysely, dispatchOrder),
    );
  }

  /** SCHEDULED callbacks whose time has come → QUEUED (any tenant), at most `limit`. */
  async promoteDue(nowMs: number, limit: number, trx: Tx): Promise<BulkChanged[]> {
    let due = trx
      .selectFrom('callbacks')
      .select('id')
      .where('state', '=', STATE.SCHEDULED)
      .where('desired_time', '<=', nowMs)
      .orderBy('desired_time')
      .limit(limit);
    if (this.db.caps.skipLocked) due = due.forUpdate().skipLocked();
    const ids = await idsOf(due);
    if (ids.length === 0) return [];
    return trx
      .updateTable('callbacks')
      .set({ state: STATE.QUEUED, updated_at: nowMs })
      .where('id', 'in', ids)
      .where(recheck('state', [STATE.SCHEDULED]))
      .returning(BULK_CHANGED_COLUMNS)
      .execute();
  }

  /** ROUTING callbacks whose lease ran out → QUEUED again, at most `limit`. */
  async expireLeases(nowMs: number, limit: number, trx: Tx): Promise<BulkChanged[]> {
    let expired = trx
      .selectFrom('callbacks')
      .select('id')
      .where('state', '=', STATE.ROUTING)
      .where('lease_expires_at', '<', nowMs)
      .limit(limit);
    if (this.db.caps.skipLocked) expired = expired.forUpdate().skipLocked();
    const ids = await idsOf(expired);
    if (ids.length === 0) return [];
    return trx
      .updateTable('callbacks')
      .set({ state: STATE.QUEUED, lease_owner: null, lease_expires_at: null, updated_at: nowMs })
      .where('id', 'in', ids)
      .where(recheck('state', [STATE.ROUTING]))
      .returning(BULK_CHANGED_COLUMNS)
      .execute();
  }

  /**
   * Claims up to `limit` QUEUED callbacks of the queues for a dialer (priority, then first asked)
   * and writes an `eventType` event for each, atomically. Returned in that order.
   */
  async claimNext(args: ClaimArgs): Promise<CallbackRow[]> {
    if (this.db.caps.writingCte) {
      const { rows } = await this.claimStatement(this.db.kysely, args);
      return rows[0]?.callbacks ?? [];
    }
    return this.db.transaction(async (trx) => {
      const next = trx
        .selectFrom('callbacks')
        .select('id')
        .where('tenant_id', '=', args.tenantId)
        .where('service_name', 'in', args.serviceNames)
        .where('state', '=', STATE.QUEUED)
        .orderBy(orderedBy(this.dispatchOrder))
        .limit(args.limit);
      const ids = await idsOf(next);
      if (ids.length === 0) return [];
      const rows = await trx
        .updateTable('callbacks')
        .set({
          state: STATE.ROUTING,
          lease_owner: args.owner,
          lease_expires_at: args.leaseUntil,
          claimed_at: args.now,
          updated_at: args.now,
        })
        // Picked within the tenant above; the primary key alone finds them (see completeWaiting).
        .where('id', 'in', ids)
        .where(recheck('state', [STATE.QUEUED]))
        .returningAll()
        .execute();
      await this.events.insertForCallbacks(ids, args.eventType, args.now, trx);
      // RETURNING follows no order; the picking query's is the dialing order.
      const position = new Map(ids.map((id, i) => [id, i]));
      return rows.sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
    });
  }

  /**
   * A tenant's callbacks by id, locked until the transaction ends where the engine locks rows
   * (SQLite's single writer already keeps them from changing), for a dialer's batch of changes.
   */
  lockByIds(tenantId: string, ids: readonly string[], q: Queryable): Promise<CallbackRow[]> {
    let rows = q.selectFrom('callbacks').selectAll().where(idsWithinTenant(tenantId, ids));
    if (this.db.caps.skipLocked && q.isTransaction) rows = rows.forUpdate();
    return rows.execute();
  }

  /** The queues of a tenant's callbacks, by id. */
  async queuesOf(tenantId: string, ids: readonly string[]): Promise<string[]> {
    const rows = await this.db.kysely
      .selectFrom('callbacks')
      .select('service_name')
      .distinct()
      .where(idsWithinTenant(tenantId, ids))
      .execute();
    return rows.map((r) => r.service_name);
  }

  /**
   * Applies one change to callbacks a dialer holds in one of `fromStates` and writes an event of
   * `change.eventType` for each changed one, atomically (in `trx` when given); the changed rows.
   */
  async heldTransition(
    tenantId: string,
    ids: readonly string[],
    owner: string,
    fromStates: readonly CallbackState[],
    change: HeldChange,
    now: number,
    trx?: Tx,
  ): Promise<CallbackRow[]> {
    if (this.db.caps.writingCte) {
      const shape = shapeOf(fromStates, change);
      const key = JSON.stringify(shape);
      let statement = this.heldStatements.get(key);
      if (!statement) {
        statement = runNamed(heldChangeStatement(this.db.kysely, shape));
        this.heldStatements.set(key, statement);
      }
      const args = {
        ...change.set,
        updated_at: now,
        tenantId,
        ids,
        owner,
        eventType: change.eventType,
        now,
      };
      return (await statement(trx ?? this.db.kysely, args)).rows;
    }
    const apply = async (t: Tx) => {
      const rows = await t
        .updateTable('callbacks')
        .set({ ...change.set, updated_at: now })
        .$if(change.addAttempt, (u) => u.set((eb) => ({ attempts: eb('attempts', '+', 1) })))
        .where(idsWithinTenant(tenantId, ids))
        .where(recheck('state', fromStates))
        .where('lease_owner', '=', owner)
        .returningAll()
        .execute();
      const changed = rows.map((r) => r.id);
      await this.events.insertForCallbacks(changed, change.eventType, now, t);
      return rows;
    };
    return trx ? apply(trx) : this.db.transaction(apply);
  }

  /** Completes waiting callbacks matching `filter` with `reason`, at most `limit`. */
  async completeWaiting(
    filter: WaitingFilter,
    reason: string,
    nowMs: number,
    limit: number,
    trx: Tx,
  ): Promise<BulkChanged[]> {
    let target = waiting(trx, filter).select('id').limit(limit);
    if (this.db.caps.skipLocked) {
      target = filter.waitForLocked ? target.forUpdate() : target.forUpdate().skipLocked();
    }
    const ids = await idsOf(target);
    if (ids.length === 0) return [];
    let update = trx
      .updateTable('callbacks')
      .set({
        state: STATE.COMPLETED,
        reason,
        completed_at: nowMs,
        updated_at: nowMs,
        lease_owner: null,
        lease_expires_at: null,
      })
      // The ids were picked within the tenant above and a row never changes tenant. Naming the
      // tenant again would tempt SQLite, short of statistics, to scan the tenant's whole index
      // instead of looking the ids up by primary key.
      .where('id', 'in', ids)
      .where(recheck('state', filter.states ?? WAITING_STATES));
    // Re-checked on the row as it is now: a row we waited for may have been rescheduled.
    if (filter.desiredBefore !== undefined) {
      update = update.where('desired_time', '<', filter.desiredBefore);
    }
    return update.returning(BULK_CHANGED_COLUMNS).execute();
  }

  /** How many waiting callbacks `filter` matches now (a bulk change's expected total). */
  async countWaiting(filter: WaitingFilter): Promise<number> {
    // A purge's count walks up to a million index entries (bench/README.md).
    const { rows } = await this.db.readAside(
      waiting(this.db.kysely, filter)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .compile(),
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** QUEUED callbacks of a queue in dispatch order (first `limit`): what their events need. */
  queuedInOrder(
    tenantId: string,
    serviceName: string,
    limit: number,
  ): Promise<(ChangedCallback & Pick<CallbackRow, 'upcoming_notified_at'>)[]> {
    return this.db.kysely
      .selectFrom('callbacks')
      .select([...CHANGED_COLUMNS, 'upcoming_notified_at'])
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .where('state', '=', STATE.QUEUED)
      .where(notCompleted)
      .orderBy(orderedBy(this.dispatchOrder))
      .limit(limit)
      .execute();
  }

  /** Marks CALLBACK_UPCOMING as raised; the ids of those no other node had marked first. */
  async markUpcoming(
    tenantId: string,
    ids: readonly string[],
    nowMs: number,
    trx: Tx,
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await trx
      .updateTable('callbacks')
      .set({ upcoming_notified_at: nowMs })
      .where(idsWithinTenant(tenantId, ids))
      .where('upcoming_notified_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deletes a queue's callbacks completed before `beforeMs` (and their events), at most `limit`. */
  async deleteCompleted(
    tenantId: string,
    serviceName: string,
    beforeMs: number,
    limit: number,
  ): Promise<number> {
    return this.db.transaction(async (trx) => {
      const ids = (
        await trx
          .selectFrom('callbacks')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('service_name', '=', serviceName)
          .where('completed_at', '<', beforeMs)
          .limit(limit)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return 0;
      await trx
        .deleteFrom('callback_events')
        .where('tenant_id', '=', tenantId)
        .where('callback_id', 'in', ids)
        .execute();
      const result = await trx
        .deleteFrom('callbacks')
        .where(idsWithinTenant(tenantId, ids))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /** How far a per-queue job has got (undefined: never ran). */
  async jobProgress(
    tenantId: string,
    serviceName: string,
    job: string,
    trx: Tx,
  ): Promise<number | undefined> {
    const row = await trx
      .selectFrom('queue_job_state')
      .select('done_until')
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .where('job', '=', job)
      .executeTakeFirst();
    return row?.done_until;
  }

  /** Records how far a per-queue job has got (never moving it backwards). */
  async setJobProgress(
    tenantId: string,
    serviceName: string,
    job: string,
    doneUntil: number,
    trx: Tx,
  ): Promise<void> {
    await trx
      .insertInto('queue_job_state')
      .values({ tenant_id: tenantId, service_name: serviceName, job, done_until: doneUntil })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'service_name', 'job'])
          .doUpdateSet({ done_until: doneUntil })
          .where('queue_job_state.done_until', '<', doneUntil),
      )
      .execute();
  }

  /** Stores a dialer's report of agents for a queue. */
  async reportAgents(
    tenantId: string,
    serviceName: string,
    loggedIn: number,
    available: number,
    nowMs: number,
  ): Promise<void> {
    await this.db.kysely
      .insertInto('agents')
      .values({
        tenant_id: tenantId,
        service_name: serviceName,
        logged_in: loggedIn,
        available,
        reported_at: nowMs,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'service_name'])
          .doUpdateSet({ logged_in: loggedIn, available, reported_at: nowMs }),
      )
      .execute();
  }

  /** The last agent report of a queue. */
  agents(tenantId: string, serviceName: string) {
    return this.db.kysely
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .executeTakeFirst();
  }
}
