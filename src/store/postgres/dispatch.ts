import { sql, type Kysely, type RawBuilder } from 'kysely';
import { STATE, type CallbackState, type OrderKey } from '../../domain/callback-state.js';
import type { Database } from '../schema.js';
import { compileNamed, recheck } from '../sql.js';
import { orderedBy, type CallbackRow } from '../repos/callbacks.js';
import { eventPayloadSql } from '../repos/events.js';

// The dialer's hot statements on PostgreSQL, one statement per operation: the rows change and
// their events are written by one round trip (data-modifying WITH), where a transaction took
// five. Built once per shape and run with new arguments (see prepare); the bench's pgbench
// script replays exactly these (bench/pgbench.ts), so both measure the same SQL.

/** What a claim is asked. */
export interface ClaimArgs extends Record<string, unknown> {
  tenantId: string;
  serviceNames: readonly string[];
  owner: string;
  leaseUntil: number;
  now: number;
  limit: number;
  eventType: string;
}

export const CLAIM_ARGS = [
  'tenantId',
  'serviceNames',
  'owner',
  'leaseUntil',
  'now',
  'limit',
  'eventType',
] as const;

/** The columns (with `= value`) and the nulls a held change sets, and whether it counts an attempt. */
export interface HeldChangeShape {
  from: readonly CallbackState[];
  values: readonly (keyof CallbackRow)[];
  nulls: readonly (keyof CallbackRow)[];
  addAttempt: boolean;
}

export type HeldChangeArgs = Record<string, unknown> & {
  tenantId: string;
  ids: readonly string[];
  owner: string;
  eventType: string;
  now: number;
};

export const HELD_ARGS = ['tenantId', 'ids', 'owner', 'eventType', 'now'] as const;

/** A raw statement in the form `compileNamed` takes. */
const compilable = (db: Kysely<Database>, raw: RawBuilder<unknown>) => ({
  compile: () => raw.compile(db),
});

/** Writes one event of `eventType` per row of the CTE `rows` (the outbox trigger follows). */
const eventsOf = (rows: string, eventType: unknown, now: unknown) => sql`
  insert into callback_events (tenant_id, callback_id, type, payload, created_at)
  select tenant_id, id, ${eventType}::text, ${eventPayloadSql('postgres')}, ${now}::bigint
  from ${sql.table(rows)}`;

/**
 * Claims up to `limit` QUEUED callbacks of the queues (→ ROUTING with a lease) and writes their
 * `callback.routing` events. The picking CTE is MATERIALIZED so it runs once: a LIMITed locking
 * subquery PostgreSQL re-ran per row would skip the rows its previous run locked (sql.ts idsOf).
 * One row: `ids` and `callbacks` (the rows as JSON), both in dialing order; `ids` lets a client
 * that only places calls (pgbench) pass them on without reading JSON.
 */
export function claimStatement(db: Kysely<Database>, order: readonly OrderKey[]) {
  return compileNamed(CLAIM_ARGS, (a: ClaimArgs) =>
    compilable(
      db,
      sql`with picked as materialized (
  select id from callbacks
  where tenant_id = ${a.tenantId} and service_name = any(${a.serviceNames}::text[])
    and state = ${STATE.QUEUED}
  order by ${orderedBy(order)}
  limit ${a.limit}
  for update skip locked
), claimed as (
  update callbacks set state = ${STATE.ROUTING}, lease_owner = ${a.owner},
    lease_expires_at = ${a.leaseUntil}, claimed_at = ${a.now}, updated_at = ${a.now}
  from picked
  where callbacks.id = picked.id and ${recheck('callbacks.state', [STATE.QUEUED])}
  returning callbacks.*
), events as (${eventsOf('claimed', a.eventType, a.now)})
select coalesce(array_agg(id order by ${orderedBy(order)}), '{}') as ids,
  coalesce(json_agg(claimed order by ${orderedBy(order)}), '[]') as callbacks
from claimed`,
    ),
  );
}

/**
 * Applies one change to the callbacks of `ids` a dialer holds in one of `from`, and writes one
 * `eventType` event per changed callback; the changed rows. The change's values are arguments
 * named by their columns; its nulls are written into the SQL (a replaying client has no null).
 */
export function heldChangeStatement(db: Kysely<Database>, shape: HeldChangeShape) {
  const names = [...HELD_ARGS, ...shape.values];
  return compileNamed(names, (a: HeldChangeArgs) => {
    const sets = [
      ...shape.values.map((column) => sql`${sql.ref(column)} = ${a[column]}`),
      ...shape.nulls.map((column) => sql`${sql.ref(column)} = null`),
      ...(shape.addAttempt ? [sql`attempts = attempts + 1`] : []),
    ];
    return compilable(
      db,
      sql`with changed as (
  update callbacks set ${sql.join(sets)}
  where id = any(${a.ids}::text[]) and ${recheck('tenant_id', [a.tenantId])}
    and ${recheck('state', shape.from)} and lease_owner = ${a.owner}
  returning *
), events as (${eventsOf('changed', a.eventType, a.now)})
select * from changed`,
    );
  });
}
