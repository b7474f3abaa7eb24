import type { Selectable } from 'kysely';
import type { Db, Queryable } from '../db.js';
import type { QueuesTable } from '../schema.js';
import { prepare } from '../sql.js';

export type QueueRow = Selectable<QueuesTable>;

/** Callback services (virtual queues) and their settings documents. */
export class QueueRepo {
  // Every request names a queue: its settings are read again whenever the service's cache of
  // them expires, by as many requests as arrive meanwhile. Compiled once (see prepare).
  private readonly byName;

  constructor(private readonly db: Db) {
    this.byName = prepare(['tenantId', 'name'], (a: { tenantId: string; name: string }) =>
      db.kysely
        .selectFrom('queues')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('name', '=', a.name),
    );
  }

  /** A tenant's queue by name. */
  async get(
    tenantId: string,
    name: string,
    q: Queryable = this.db.kysely,
  ): Promise<QueueRow | undefined> {
    const [row] = (await this.byName(q, { tenantId, name })).rows;
    return row;
  }

  /** A tenant's queues by name. */
  list(tenantId: string): Promise<QueueRow[]> {
    return this.db.kysely
      .selectFrom('queues')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
  }

  /** Every queue of every tenant, for the scheduler. */
  listAll(): Promise<QueueRow[]> {
    return this.db.kysely.selectFrom('queues').selectAll().orderBy('tenant_id').execute();
  }

  /** Creates or replaces a queue's settings. */
  async upsert(
    row: { tenant_id: string; name: string; settings: string; source: string; now: number },
    q: Queryable = this.db.kysely,
  ): Promise<void> {
    await q
      .insertInto('queues')
      .values({
        tenant_id: row.tenant_id,
        name: row.name,
        settings: row.settings,
        source: row.source,
        created_at: row.now,
        updated_at: row.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'name'])
          .doUpdateSet({ settings: row.settings, source: row.source, updated_at: row.now }),
      )
      .execute();
  }

  /** Deletes a queue; false when there was none. */
  async delete(tenantId: string, name: string): Promise<boolean> {
    const result = await this.db.kysely
      .deleteFrom('queues')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
