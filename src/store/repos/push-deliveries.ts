import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db.js';
import type { PushDeliveriesTable } from '../schema.js';

export type PushDeliveryRow = Selectable<PushDeliveriesTable>;

/** The log of push notifications sent (or not) for callbacks, and the retry queue. */
export class PushDeliveryRepo {
  constructor(private readonly db: Db) {}

  /** Records a delivery before the first attempt. */
  async insert(row: Insertable<PushDeliveriesTable>): Promise<void> {
    await this.db.kysely.insertInto('push_deliveries').values(row).execute();
  }

  /** Records the outcome of an attempt. */
  async update(
    tenantId: string,
    id: string,
    patch: Updateable<PushDeliveriesTable>,
  ): Promise<void> {
    await this.db.kysely
      .updateTable('push_deliveries')
      .set(patch)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** Deliveries due for another attempt (retries, and sends whose node died mid-way). */
  due(nowMs: number, limit: number): Promise<PushDeliveryRow[]> {
    return this.db.kysely
      .selectFrom('push_deliveries')
      .selectAll()
      .where('status', 'in', ['retry', 'sending'])
      .where('next_attempt_at', '<=', nowMs)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
  }

  /**
   * Takes a due delivery for one attempt: only the node whose conditional update wins sends it,
   * and `leaseUntil` returns it to the queue if that node dies before recording the outcome.
   */
  async claim(row: PushDeliveryRow, leaseUntil: number, nowMs: number): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('push_deliveries')
      .set({ status: 'sending', next_attempt_at: leaseUntil, updated_at: nowMs })
      .where('tenant_id', '=', row.tenant_id)
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('next_attempt_at', '=', row.next_attempt_at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** A callback's deliveries, oldest first. */
  forCallback(tenantId: string, callbackId: string): Promise<PushDeliveryRow[]> {
    return this.db.kysely
      .selectFrom('push_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('callback_id', '=', callbackId)
      .orderBy('id')
      .execute();
  }
}
