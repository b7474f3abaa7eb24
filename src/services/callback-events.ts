import { formatUtc } from '../domain/time.js';
import type { Tx } from '../store/db.js';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';

/** The event snapshot of a callback: never userData (it may hold personal data). */
export function eventPayload(row: CallbackRow) {
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

/**
 * Which queues' callbacks this node has changed, as a version per queue: figures derived from a
 * queue's callbacks (EWT) can be cached until the queue changes here, and briefly otherwise.
 */
export class QueueActivity {
  private readonly versions = new Map<string, number>();

  /** Notes that a queue's callbacks changed. */
  touched(tenantId: string, serviceName: string): void {
    const key = `${tenantId}\u0000${serviceName}`;
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
  }

  /** The queue's current version on this node. */
  version(tenantId: string, serviceName: string): number {
    return this.versions.get(`${tenantId}\u0000${serviceName}`) ?? 0;
  }
}

/** Writes the outbox events of callback state changes, in the transaction of the change. */
export class CallbackEvents {
  constructor(
    private readonly store: Store,
    private readonly activity: QueueActivity,
  ) {}

  /** Records one event per changed callback and marks their queues changed. */
  async record(trx: Tx, rows: readonly CallbackRow[], type: string, now: number): Promise<void> {
    await this.store.events.insertMany(
      trx,
      rows.map((row) => ({
        tenantId: row.tenant_id,
        callbackId: row.id,
        type,
        payload: eventPayload(row),
        now,
      })),
    );
    for (const row of rows) this.activity.touched(row.tenant_id, row.service_name);
  }
}
