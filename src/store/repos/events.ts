import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db, Tx } from '../db.js';
import { idsOf, insertSlices, prepare } from '../sql.js';
import { ENGINE_SQL, type Engine } from '../engine.js';
import type { CallbackEventsTable, WebhookDeliveriesTable, WebhooksTable } from '../schema.js';

export type EventRow = Selectable<CallbackEventsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

export const EVENT_COLUMNS = ['tenant_id', 'callback_id', 'type', 'payload', 'created_at'] as const;
type NewEventRow = Pick<Insertable<CallbackEventsTable>, (typeof EVENT_COLUMNS)[number]>;

const PREPARED_EVENT_ROWS = 4;

/** An INSERT of `count` events, compiled once: its arguments are named `<row>:<column>`. */
function preparedInsert(db: Db, count: number) {
  const names = Array.from({ length: count }, (_, i) =>
    EVENT_COLUMNS.map((c) => `${i}:${c}`),
  ).flat();
  const insert = prepare(names, (args: Record<string, unknown>) =>
    db.kysely
      .insertInto('callback_events')
      .values(
        Array.from(
          { length: count },
          (_, i) =>
            Object.fromEntries(EVENT_COLUMNS.map((c) => [c, args[`${i}:${c}`]])) as NewEventRow,
        ),
      ),
  );
  return (q: Tx, rows: readonly NewEventRow[]) =>
    insert(
      q,
      Object.fromEntries(rows.flatMap((row, i) => EVENT_COLUMNS.map((c) => [`${i}:${c}`, row[c]]))),
    );
}

/**
 * An event's payload built by the database from the callback row in scope (its unqualified
 * columns): `eventPayload`'s (services/event-writer.ts); a test holds the two equal.
 */
export function eventPayloadSql(engine: Engine) {
  const { jsonObject, utcIso } = ENGINE_SQL[engine];
  return jsonObject([
    ['id', sql.ref('id')],
    ['serviceName', sql.ref('service_name')],
    ['state', sql.ref('state')],
    ['reason', sql.ref('reason')],
    ['desiredTime', utcIso('desired_time')],
    ['attempts', sql.ref('attempts')],
    ['priority', sql.ref('priority')],
  ]);
}

/** One state-change event, written in the transaction of the change (the outbox). */
export interface NewEvent {
  tenantId: string;
  callbackId: string;
  type: string;
  payload: unknown;
  now: number;
}

/** The event outbox, webhook subscriptions and their delivery log. */
export class EventRepo {
  // A single change writes one event, an immediate booking two (created, queued): the inserts of
  // a few rows are compiled once each (see prepare), larger ones per call.
  private readonly insertFew: ((q: Tx, rows: readonly NewEventRow[]) => Promise<unknown>)[];

  constructor(private readonly db: Db) {
    this.insertFew = Array.from({ length: PREPARED_EVENT_ROWS }, (_, i) =>
      preparedInsert(db, i + 1),
    );
  }

  /**
   * Appends events in the caller's transaction. A trigger (migration 0008) copies each new event
   * into callback_event_outbox, where claimUndispatched finds it: no insert here names the outbox.
   */
  async insertMany(events: readonly NewEvent[], trx: Tx): Promise<void> {
    const rows = events.map((e) => ({
      tenant_id: e.tenantId,
      callback_id: e.callbackId,
      type: e.type,
      payload: JSON.stringify(e.payload),
      created_at: e.now,
    }));
    if (rows.length === 0) return;
    const few = this.insertFew[rows.length - 1];
    if (few) await few(trx, rows);
    else {
      for (const slice of insertSlices(rows)) {
        await trx.insertInto('callback_events').values(slice).execute();
      }
    }
  }

  /**
   * Appends one event per callback of `ids` (entering the outbox the same way), its payload built by the database from the row as
   * this transaction left it: a bulk change (a purge) then reads nothing back but ids, where
   * building a million payloads in the service and sending them back cost as much as the change.
   * The payload is `eventPayload`'s (services/callback-events.ts); a test holds the two equal.
   */
  async insertForCallbacks(ids: readonly string[], type: string, nowMs: number, trx: Tx) {
    if (ids.length === 0) return;
    const payload = eventPayloadSql(this.db.caps.engine);
    await trx
      .insertInto('callback_events')
      .columns(EVENT_COLUMNS)
      .expression((eb) =>
        eb
          .selectFrom('callbacks')
          .select([
            'tenant_id',
            'id',
            eb.cast(eb.val(type), 'text').as('type'),
            payload.as('payload'),
            eb.cast(eb.val(nowMs), 'bigint').as('created_at'),
          ])
          .where('id', 'in', ids),
      )
      .execute();
  }

  /**
   * Takes the oldest events not yet handed on out of the outbox (in the caller's transaction, so
   * a failure puts them back), skipping those another node is taking.
   */
  async claimUndispatched(limit: number, trx: Tx): Promise<EventRow[]> {
    let pending = trx
      .selectFrom('callback_event_outbox')
      .select('event_id as id')
      .orderBy('event_id')
      .limit(limit);
    if (this.db.caps.skipLocked) pending = pending.forUpdate().skipLocked();
    const ids = await idsOf(pending);
    if (ids.length === 0) return [];
    await trx.deleteFrom('callback_event_outbox').where('event_id', 'in', ids).execute();
    const rows = await trx
      .selectFrom('callback_events')
      .selectAll()
      .where('id', 'in', ids)
      .execute();
    return rows.sort((a, b) => a.id - b.id);
  }

  /** A tenant's webhook subscriptions. */
  listWebhooks(tenantId: string, q: Db['kysely'] | Tx = this.db.kysely): Promise<WebhookRow[]> {
    return q
      .selectFrom('webhooks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute();
  }

  /** One subscription of a tenant. */
  getWebhook(tenantId: string, id: string): Promise<WebhookRow | undefined> {
    return this.db.kysely
      .selectFrom('webhooks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Every subscription's id, tenant and sealed secret: the few rows the re-wrap job scans. */
  webhookSecrets(): Promise<Pick<WebhookRow, 'id' | 'tenant_id' | 'secret'>[]> {
    return this.db.kysely.selectFrom('webhooks').select(['id', 'tenant_id', 'secret']).execute();
  }

  /** Replaces a sealed secret with its re-wrapped form, unless it changed meanwhile. */
  async rewrappedWebhook(
    row: Pick<WebhookRow, 'id' | 'tenant_id' | 'secret'>,
    secret: string,
  ): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('webhooks')
      .set({ secret })
      .where('tenant_id', '=', row.tenant_id)
      .where('id', '=', row.id)
      .where('secret', '=', row.secret)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Stores a subscription. */
  async insertWebhook(row: WebhookRow): Promise<void> {
    await this.db.kysely.insertInto('webhooks').values(row).execute();
  }

  /** Removes a subscription; false when the tenant has none with that id. */
  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.kysely
      .deleteFrom('webhooks')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Queues deliveries in the caller's transaction. */
  async insertDeliveries(
    trx: Tx,
    rows: readonly Insertable<WebhookDeliveriesTable>[],
  ): Promise<void> {
    for (const slice of insertSlices(rows)) {
      await trx.insertInto('webhook_deliveries').values(slice).execute();
    }
  }

  /** Takes due deliveries for one attempt, pushing their next attempt out so no other node takes them. */
  async claimDueDeliveries(nowMs: number, leaseMs: number, limit: number, trx: Tx) {
    let due = trx
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', nowMs)
      .orderBy('next_attempt_at')
      .limit(limit);
    if (this.db.caps.skipLocked) due = due.forUpdate().skipLocked();
    const ids = await idsOf(due);
    if (ids.length === 0) return [];
    return trx
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: nowMs + leaseMs })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .returningAll()
      .execute();
  }

  /** Records the outcome of one attempt. */
  async updateDelivery(
    id: string,
    set: Partial<Omit<DeliveryRow, 'id' | 'tenant_id'>>,
  ): Promise<void> {
    await this.db.kysely.updateTable('webhook_deliveries').set(set).where('id', '=', id).execute();
  }

  /** A subscription's deliveries, newest first. */
  listDeliveries(tenantId: string, webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return this.db.kysely
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('webhook_id', '=', webhookId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
