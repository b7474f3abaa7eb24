import { formatUtc } from '../domain/time.js';
import type { Tx } from '../store/db.js';
import type { BulkChanged, ChangedCallback } from '../store/repos/lifecycle.js';
import type { Store } from '../store/index.js';
import type { QueueActivity } from '../infra/queue-activity.js';

/**
 * The event snapshot of a callback: never userData (it may hold personal data). Bulk changes have
 * the database build the same (EventRepo.insertForCallbacks).
 */
export function eventPayload(row: ChangedCallback) {
  return {
    id: row.id,
    serviceName: row.service_name,
    state: row.state,
    reason: row.reason,
    desiredTime: formatUtc(row.desired_time),
    attempts: row.attempts,
    priority: row.priority,
  };
}

/** Writes the outbox events of callback state changes, in the transaction of the change. */
export class CallbackEventWriter {
  constructor(
    private readonly store: Store,
    private readonly activity: QueueActivity,
  ) {}

  /**
   * Records one event per changed callback and marks their queues changed, unless the caller
   * says they are not (`markQueues: false`: nothing a queue's figures are derived from changed).
   */
  async record(
    trx: Tx,
    rows: readonly ChangedCallback[],
    type: string | readonly string[],
    now: number,
    { markQueues = true } = {},
  ): Promise<void> {
    // Several types are recorded per callback in that order, in one statement.
    const types = typeof type === 'string' ? [type] : type;
    await this.store.events.insertMany(
      rows.flatMap((row) =>
        types.map((t) => ({
          tenantId: row.tenant_id,
          callbackId: row.id,
          type: t,
          payload: eventPayload(row),
          now,
        })),
      ),
      trx,
    );
    if (markQueues) this.markQueues(rows);
  }

  /** Marks the queues of callbacks whose events the store wrote with their change (a booking). */
  recorded(rows: readonly ChangedCallback[]): void {
    this.markQueues(rows);
  }

  /**
   * Records one event per callback a bulk change changed, built by the database from the rows as
   * the change left them. The caller marks their queues (bulkChangeBegins / bulkChangeEnds).
   */
  recordBulk(trx: Tx, rows: readonly BulkChanged[], type: string, now: number): Promise<void> {
    return this.store.events.insertForCallbacks(
      rows.map((row) => row.id),
      type,
      now,
      trx,
    );
  }

  private markQueues(rows: Iterable<BulkChanged>): void {
    for (const row of rows) this.activity.touched(row.tenant_id, row.service_name);
  }

  /** A bulk change of this callback's queue begins on this node. */
  bulkChangeBegins(row: BulkChanged): void {
    this.activity.bulkChangeBegins(row.tenant_id, row.service_name);
  }

  /** The bulk change of this callback's queue ends: the queue's figures are out of date. */
  bulkChangeEnds(row: BulkChanged): void {
    this.activity.bulkChangeEnds(row.tenant_id, row.service_name);
  }
}
