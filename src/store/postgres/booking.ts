import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { compileNamed } from '../sql.js';
import { notCompleted } from '../repos/callbacks.js';
import { eventPayloadSql } from '../repos/events.js';

// A booking on PostgreSQL in one statement (data-modifying WITH): the number's usage, the slot's
// bookings and the immediate queue's bound are read, and the callback and its events written only
// if every limit admits it, where a transaction took a round trip for each. The caller holds the
// number's and the slot's or queue's locks (Db.lockedStatement), so the counts are current.

/** Which places a booking takes: an immediate queue's, a slot's (capacity enforced), or none. */
export type BookingShape = 'immediate' | 'slot' | 'plain';

export interface BookingArgs extends Record<string, unknown> {
  /** The new callbacks row as JSON (every column). */
  row: string;
  tenantId: string;
  serviceName: string;
  phoneNumber: string;
  /** Start of the number's local day (the throttle counts bookings since). */
  sinceMs: number;
  /** Bookings of the number since `sinceMs` must stay below this; null: no throttle. */
  maxToday: number | null;
  /** Active callbacks of the number must stay below this; null: no duplicate check. */
  maxActive: number | null;
  /** The event types to write, in order. */
  types: readonly string[];
  now: number;
  /** immediate: maxQueuedImmediate. */
  cap?: number;
  /** slot: the slot's start and capacity. */
  slotStart?: number;
  capacity?: number;
}

const ARGS = {
  immediate: ['cap'],
  slot: ['slotStart', 'capacity'],
  plain: [],
} as const;

/** What the statement found: the counts the refusals name, and whether it booked. */
export interface BookingOutcome {
  since: number;
  active: number;
  /** slot: active callbacks in the slot. */
  booked_in_slot: number | null;
  /** immediate: whether the queue's bound was raised (false: at the limit, or none recorded). */
  room: boolean | null;
  inserted: boolean;
}

export function bookingStatement(db: Kysely<Database>, shape: BookingShape) {
  const names = [
    'row',
    'tenantId',
    'serviceName',
    'phoneNumber',
    'sinceMs',
    'maxToday',
    'maxActive',
    'types',
    'now',
    ...ARGS[shape],
  ] as const;
  return compileNamed<BookingArgs, BookingOutcome>(names, (a) => {
    const slot =
      shape === 'slot'
        ? sql`, slot as (
  select count(*) as n from callbacks
  where tenant_id = ${a.tenantId} and service_name = ${a.serviceName}
    and slot_start = ${a.slotStart} and ${notCompleted}
)`
        : sql``;
    const room =
      shape === 'immediate'
        ? sql`, room as (
  update immediate_queue_bounds set bound = bound + 1
  where tenant_id = ${a.tenantId} and service_name = ${a.serviceName}
    and bound < ${a.cap} and exists (select from admitted)
  returning bound
)`
        : sql``;
    const placed = shape === 'immediate' ? sql`room` : sql`admitted`;
    return {
      compile: () =>
        sql<BookingOutcome>`with usage as (
  select coalesce(sum(case when created_at >= ${a.sinceMs} then 1 else 0 end), 0) as since,
    coalesce(sum(case when completed_at is null then 1 else 0 end), 0) as active
  from callbacks
  where tenant_id = ${a.tenantId} and phone_number = ${a.phoneNumber}
    and service_name = ${a.serviceName}
)${slot}, admitted as (
  select from usage${shape === 'slot' ? sql`, slot` : sql``}
  where (${a.maxToday}::bigint is null or usage.since < ${a.maxToday})
    and (${a.maxActive}::bigint is null or usage.active < ${a.maxActive})
    ${shape === 'slot' ? sql`and slot.n < ${a.capacity}` : sql``}
)${room}, inserted as (
  insert into callbacks
  select * from json_populate_record(null::callbacks, ${a.row}::json)
  where exists (select from ${placed})
  returning *
), events as (
  insert into callback_events (tenant_id, callback_id, type, payload, created_at)
  select tenant_id, id, event.type, ${eventPayloadSql('postgres')}, ${a.now}::bigint
  from inserted, unnest(${a.types}::text[]) with ordinality as event(type, n)
  order by event.n
)
select usage.since, usage.active,
  ${shape === 'slot' ? sql`(select n from slot)` : sql`null::bigint`} as booked_in_slot,
  ${shape === 'immediate' ? sql`exists (select from room)` : sql`null::boolean`} as room,
  exists (select from inserted) as inserted
from usage`.compile(db),
    };
  });
}
