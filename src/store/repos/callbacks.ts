import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely';
import type { Db, Queryable, Tx } from '../db.js';
import { bindNamed, insertSlices, prepare, recheck, idsWithinTenant } from '../sql.js';
import {
  bookingStatement,
  type BookingArgs,
  type BookingOutcome,
  type BookingShape,
} from '../postgres/booking.js';
import type { CallbacksTable } from '../schema.js';
import { STATE, type CallbackState, type OrderKey } from '../../domain/callback-state.js';

export type CallbackRow = Selectable<CallbacksTable>;

// Every column, so that the prepared insert binds them all (the Record makes the compiler list them).
const CALLBACK_COLUMNS = Object.keys({
  id: true,
  tenant_id: true,
  service_name: true,
  phone_number: true,
  desired_time: true,
  requested_at: true,
  immediate: true,
  state: true,
  reason: true,
  priority: true,
  attempts: true,
  slot_start: true,
  user_data: true,
  details: true,
  lease_owner: true,
  lease_expires_at: true,
  claimed_at: true,
  upcoming_notified_at: true,
  created_at: true,
  updated_at: true,
  completed_at: true,
} satisfies Record<keyof CallbackRow, true>) as (keyof CallbackRow)[];

/**
 * `completed_at is null`, the predicate of the indexes that hold only callbacks not yet completed
 * (migration 0006). SQLite uses such an index only for a statement that repeats the predicate, so
 * every read of waiting callbacks through them names it, even where the states it asks for imply it.
 */
export const notCompleted = sql<SqlBool>`completed_at is null`;

/** One key of an order over callbacks' columns (a dispatch order, a console sort). */
interface ColumnOrder<C extends keyof CallbackRow> {
  column: C;
  direction: 'asc' | 'desc';
}

/** `order by` for an order (domain/callback-state.ts DISPATCH_ORDER, a console sort). */
export function orderedBy<C extends keyof CallbackRow>(order: readonly ColumnOrder<C>[]) {
  return sql`${sql.join(order.map((k) => sql`${sql.ref(k.column)} ${sql.raw(k.direction)}`))}`;
}

/** The callbacks that come before `row` in an order. */
export function aheadOf<C extends keyof CallbackRow>(
  order: readonly ColumnOrder<C>[],
  row: Pick<CallbackRow, C>,
) {
  const before = (k: ColumnOrder<C>) =>
    sql`${sql.ref(k.column)} ${sql.raw(k.direction === 'desc' ? '>' : '<')} ${row[k.column]}`;
  const equal = (k: ColumnOrder<C>) => sql`${sql.ref(k.column)} = ${row[k.column]}`;
  const terms = order.map(
    (k, i) => sql`(${sql.join([...order.slice(0, i).map(equal), before(k)], sql` and `)})`,
  );
  return sql<SqlBool>`(${sql.join(terms, sql` or `)})`;
}

/** The columns the console may sort a search by (an allow-list: each is named in SQL). */
export type SearchColumn =
  'phone_number' | 'service_name' | 'state' | 'desired_time' | 'attempts' | 'created_at';

/** A search's order: one column, ties broken by id in the same direction. */
export type SearchOrder = ColumnOrder<SearchColumn>;

/** Where a page of a sorted search ended: the last row's sort value and id. */
export type SearchCursor = Pick<CallbackRow, SearchColumn | 'id'>;

export interface CallbackFilter {
  phoneNumber?: string | undefined;
  serviceName?: string | undefined;
  states?: readonly CallbackState[] | undefined;
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
  desiredFrom?: number | undefined;
  desiredTo?: number | undefined;
  /** Digits the stored E.164 number contains (the console's phone search). */
  phoneDigits?: string | undefined;
  limit: number;
  /** Sorted by this column; newest first (by id) without it. */
  order?: SearchOrder | undefined;
  /** Continue after this row of the order: its id, and its sort value when sorted. */
  after?: Partial<SearchCursor> & Pick<CallbackRow, 'id'>;
}

/** Callbacks: the queue itself (no job-queue library; this table is the queue). */
export class CallbackRepo {
  // The booking path's statements, compiled once (see prepare).
  private readonly insertRow;
  private readonly numberUsageOf;
  private readonly activeImmediateUpTo;
  private readonly raiseBoundBelow;
  private readonly setImmediateBound;
  private readonly bookedInSlotOf;
  private readonly bookings = new Map<BookingShape, ReturnType<typeof bookingStatement>>();

  constructor(
    private readonly db: Db,
    /** The order QUEUED callbacks are dialled in (the domain's DISPATCH_ORDER). */
    private readonly dispatchOrder: readonly OrderKey[],
  ) {
    const { kysely } = db;
    this.insertRow = prepare(CALLBACK_COLUMNS, (row: CallbackRow) =>
      kysely.insertInto('callbacks').values(row),
    );
    this.numberUsageOf = prepare(
      ['tenantId', 'serviceName', 'phoneNumber', 'sinceMs'],
      (a: { tenantId: string; serviceName: string; phoneNumber: string; sinceMs: number }) =>
        kysely
          .selectFrom('callbacks')
          .select([
            sql<number | null>`sum(case when created_at >= ${a.sinceMs} then 1 else 0 end)`.as(
              'since',
            ),
            sql<number | null>`sum(case when completed_at is null then 1 else 0 end)`.as('active'),
          ])
          .where('tenant_id', '=', a.tenantId)
          .where('phone_number', '=', a.phoneNumber)
          .where('service_name', '=', a.serviceName),
    );
    this.activeImmediateUpTo = prepare(
      ['tenantId', 'serviceName', 'upTo'],
      (a: { tenantId: string; serviceName: string; upTo: number }) =>
        kysely
          .selectFrom((eb) =>
            eb
              .selectFrom('callbacks')
              .select('id')
              .where('tenant_id', '=', a.tenantId)
              .where('service_name', '=', a.serviceName)
              .where('immediate', '=', 1)
              .where(notCompleted)
              .limit(a.upTo)
              .as('active'),
          )
          .select((eb) => eb.fn.countAll<number>().as('n')),
    );
    this.raiseBoundBelow = prepare(
      ['tenantId', 'serviceName', 'limit'],
      (a: { tenantId: string; serviceName: string; limit: number }) =>
        kysely
          .updateTable('immediate_queue_bounds')
          .set((eb) => ({ bound: eb('bound', '+', 1) }))
          .where('tenant_id', '=', a.tenantId)
          .where('service_name', '=', a.serviceName)
          .where('bound', '<', a.limit)
          .returning('bound'),
    );
    this.setImmediateBound = prepare(
      ['tenant_id', 'service_name', 'bound'],
      (a: { tenant_id: string; service_name: string; bound: number }) =>
        kysely
          .insertInto('immediate_queue_bounds')
          .values(a)
          .onConflict((oc) =>
            oc
              .columns(['tenant_id', 'service_name'])
              .doUpdateSet((eb) => ({ bound: eb.ref('excluded.bound') })),
          ),
    );
    this.bookedInSlotOf = prepare(
      ['tenantId', 'serviceName', 'slotStart'],
      (a: { tenantId: string; serviceName: string; slotStart: number }) =>
        kysely
          .selectFrom('callbacks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', a.tenantId)
          .where('service_name', '=', a.serviceName)
          .where('slot_start', '=', a.slotStart)
          .where(notCompleted),
    );
  }

  /** Stores a new callback. */
  async insert(row: CallbackRow, q: Queryable = this.db.kysely): Promise<void> {
    await this.insertRow(q, row);
  }

  /**
   * Books `args.row` in one statement under the locks of `keys`, if the number's limits, the
   * slot's capacity or the immediate queue's bound admit it (postgres/booking.ts); only where the
   * engine has data-modifying WITH (caps.writingCte).
   */
  async book(shape: BookingShape, keys: readonly string[], args: BookingArgs) {
    let statement = this.bookings.get(shape);
    if (!statement) {
      statement = bookingStatement(this.db.kysely, shape);
      this.bookings.set(shape, statement);
    }
    const { rows } = await this.db.lockedStatement(
      keys,
      bindNamed<BookingArgs, BookingOutcome>(statement, args),
    );
    const [outcome] = rows;
    if (!outcome) throw new Error('the booking statement answered no row');
    return outcome;
  }

  /** Stores many callbacks, as few statements as the engine's bind limits allow. */
  async insertMany(
    rows: readonly Insertable<CallbacksTable>[],
    q: Queryable = this.db.kysely,
  ): Promise<void> {
    for (const slice of insertSlices(rows)) await q.insertInto('callbacks').values(slice).execute();
  }

  /** A tenant's callback by id. */
  get(
    tenantId: string,
    id: string,
    q: Queryable = this.db.kysely,
  ): Promise<CallbackRow | undefined> {
    return q
      .selectFrom('callbacks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** A tenant's callbacks by id (those that exist), in no particular order. */
  byIds(tenantId: string, ids: readonly string[]): Promise<CallbackRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.kysely
      .selectFrom('callbacks')
      .selectAll()
      .where(idsWithinTenant(tenantId, ids))
      .execute();
  }

  /** Changes a callback only if it is still in one of `fromStates`; the updated row or undefined. */
  async transition(
    tenantId: string,
    id: string,
    fromStates: readonly CallbackState[],
    set: Partial<Omit<CallbackRow, 'id' | 'tenant_id'>>,
    trx: Tx,
  ): Promise<CallbackRow | undefined> {
    return trx
      .updateTable('callbacks')
      .set(set)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where(recheck('state', fromStates))
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * One number's use of a queue, in one read: callbacks created since `sinceMs` (the daily
   * throttle) and callbacks still active (the duplicate check).
   */
  async numberUsage(
    tenantId: string,
    serviceName: string,
    phoneNumber: string,
    sinceMs: number,
    q: Queryable,
  ): Promise<{ createdSince: number; active: number }> {
    const { rows } = await this.numberUsageOf(q, { tenantId, serviceName, phoneNumber, sinceMs });
    return { createdSince: Number(rows[0]?.since ?? 0), active: Number(rows[0]?.active ?? 0) };
  }

  /**
   * A queue's active immediate callbacks (what maxQueuedImmediate limits), counted up to `upTo`:
   * the index walk stops there, so a long queue costs no more than a full one.
   */
  async activeImmediate(
    tenantId: string,
    serviceName: string,
    upTo: number,
    q: Queryable,
  ): Promise<number> {
    const { rows } = await this.activeImmediateUpTo(q, { tenantId, serviceName, upTo });
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Raises the recorded upper bound on a queue's active immediate callbacks (see migration 0007)
   * by one if it is below `limit`; false when it is not, or none is recorded yet.
   */
  async raiseImmediateBound(
    tenantId: string,
    serviceName: string,
    limit: number,
    q: Queryable,
  ): Promise<boolean> {
    const { rows } = await this.raiseBoundBelow(q, { tenantId, serviceName, limit });
    return rows.length > 0;
  }

  /** Records a new upper bound on a queue's active immediate callbacks. */
  async recordImmediateBound(
    tenantId: string,
    serviceName: string,
    bound: number,
    q: Queryable,
  ): Promise<void> {
    await this.setImmediateBound(q, { tenant_id: tenantId, service_name: serviceName, bound });
  }

  /** Active callbacks booked into the slot starting at `slotStart`. */
  async bookedInSlot(
    tenantId: string,
    serviceName: string,
    slotStart: number,
    q: Queryable,
  ): Promise<number> {
    const { rows } = await this.bookedInSlotOf(q, { tenantId, serviceName, slotStart });
    return Number(rows[0]?.n ?? 0);
  }

  /** Active callbacks booked into each slot starting in [fromMs, toMs). */
  async activeBySlot(
    tenantId: string,
    serviceName: string,
    fromMs: number,
    toMs: number,
    q: Queryable,
  ): Promise<Map<number, number>> {
    const rows = await q
      .selectFrom('callbacks')
      .select(['slot_start', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .where('slot_start', '>=', fromMs)
      .where('slot_start', '<', toMs)
      .where(notCompleted)
      .groupBy('slot_start')
      .execute();
    const counts = new Map<number, number>();
    for (const r of rows) if (r.slot_start !== null) counts.set(Number(r.slot_start), Number(r.n));
    return counts;
  }

  /** How many QUEUED callbacks of the queue are ahead of this one in dispatch order. */
  async countAhead(row: CallbackRow, q: Queryable): Promise<number> {
    const result = await q
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', row.tenant_id)
      .where('service_name', '=', row.service_name)
      .where('state', '=', STATE.QUEUED)
      .where(notCompleted)
      .where(aheadOf(this.dispatchOrder, row))
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }

  /** Number of QUEUED callbacks per queue of a tenant. */
  async countQueued(tenantId: string, serviceName: string): Promise<number> {
    const row = await this.db.kysely
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .where('state', '=', STATE.QUEUED)
      .where(notCompleted)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Completion instants of the queue's most recent connected callbacks, newest first. */
  async recentCompletions(tenantId: string, serviceName: string, count: number): Promise<number[]> {
    const rows = await this.db.kysely
      .selectFrom('callbacks')
      .select('completed_at')
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .where('reason', '=', 'AGENT_CONNECTED')
      .where('completed_at', 'is not', null)
      .orderBy('completed_at', 'desc')
      .limit(count)
      .execute();
    return rows.flatMap((r) => (r.completed_at === null ? [] : [Number(r.completed_at)]));
  }

  /**
   * A tenant's callbacks matching a filter, in the filter's order (ties by id) or newest first;
   * a page continues after the previous page's last row (a keyset cursor, right for any order).
   */
  find(tenantId: string, filter: CallbackFilter): Promise<CallbackRow[]> {
    const keys: ColumnOrder<SearchColumn | 'id'>[] = filter.order
      ? [filter.order, { column: 'id', direction: filter.order.direction }]
      : [{ column: 'id', direction: 'desc' }];
    let query = this.db.kysely
      .selectFrom('callbacks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy(orderedBy(keys))
      .limit(filter.limit);
    if (filter.after !== undefined) {
      // What comes after a row in an order comes before it in the reverse order.
      const reversed = keys.map((k) => ({
        ...k,
        direction: k.direction === 'asc' ? ('desc' as const) : ('asc' as const),
      }));
      // Only the order's columns are read from the cursor, and the service checked it has them.
      query = query.where(aheadOf(reversed, filter.after as SearchCursor));
    }
    if (filter.phoneNumber !== undefined)
      query = query.where('phone_number', '=', filter.phoneNumber);
    if (filter.serviceName !== undefined)
      query = query.where('service_name', '=', filter.serviceName);
    if (filter.states !== undefined && filter.states.length > 0) {
      query = query.where('state', 'in', filter.states);
    }
    if (filter.createdFrom !== undefined)
      query = query.where('created_at', '>=', filter.createdFrom);
    if (filter.createdTo !== undefined) query = query.where('created_at', '<', filter.createdTo);
    if (filter.desiredFrom !== undefined)
      query = query.where('desired_time', '>=', filter.desiredFrom);
    if (filter.desiredTo !== undefined) query = query.where('desired_time', '<', filter.desiredTo);
    if (filter.phoneDigits !== undefined) {
      // Only digits reach the pattern, so no LIKE wildcard can be smuggled in.
      const digits = filter.phoneDigits.replace(/\D/g, '');
      query = query.where('phone_number', 'like', `%${digits}%`);
    }
    return query.execute();
  }

  /** A callback's events in order (its history). */
  history(tenantId: string, callbackId: string) {
    return this.db.kysely
      .selectFrom('callback_events')
      .select(['id', 'type', 'payload', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('callback_id', '=', callbackId)
      .orderBy('id')
      .execute();
  }
}
