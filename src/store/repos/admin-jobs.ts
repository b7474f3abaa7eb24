import type { Insertable, Selectable } from 'kysely';
import type { Db, Queryable } from '../db.js';
import type { AdminJobsTable } from '../schema.js';

export type AdminJobRow = Selectable<AdminJobsTable>;

const UNFINISHED = ['queued', 'running'] as const;

/**
 * Long admin operations and their progress. A node works on a job only while it holds the job's
 * lease; every write of progress renews it and fails once another node has taken the job over.
 */
export class AdminJobRepo {
  constructor(private readonly db: Db) {}

  /** Stores a new job. */
  async insert(row: Insertable<AdminJobsTable>): Promise<void> {
    await this.db.kysely.insertInto('admin_jobs').values(row).execute();
  }

  /** One job of a tenant. */
  get(tenantId: string, id: string): Promise<AdminJobRow | undefined> {
    return this.db.kysely
      .selectFrom('admin_jobs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * Takes the lease of one unfinished job nobody holds (never started, or its node stopped
   * renewing the lease): the given one, or the oldest. Undefined when there is none.
   */
  claim(
    owner: string,
    nowMs: number,
    leaseMs: number,
    id?: string,
  ): Promise<AdminJobRow | undefined> {
    return this.db.transaction(async (trx) => {
      let pick = trx
        .selectFrom('admin_jobs')
        .select('id')
        .where('state', 'in', UNFINISHED)
        .where((eb) =>
          eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', nowMs)]),
        )
        .orderBy('created_at')
        .limit(1);
      if (id !== undefined) pick = pick.where('id', '=', id);
      if (this.db.caps.skipLocked) pick = pick.forUpdate().skipLocked();
      const found = await pick.executeTakeFirst();
      if (found === undefined) return undefined;
      return trx
        .updateTable('admin_jobs')
        .set((eb) => ({
          state: 'running',
          lease_owner: owner,
          lease_expires_at: nowMs + leaseMs,
          attempts: eb('attempts', '+', 1),
          started_at: eb.fn.coalesce('started_at', eb.val(nowMs)),
          updated_at: nowMs,
        }))
        .where('id', '=', found.id)
        .returningAll()
        .executeTakeFirst();
    });
  }

  /**
   * Adds `count` to the job's progress and renews its lease, in the caller's transaction (the
   * one that changed those rows), so progress never counts a batch twice or misses one. False
   * when `owner` no longer holds the job: the caller must roll back and stop.
   */
  async progress(
    q: Queryable,
    id: string,
    owner: string,
    count: number,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean> {
    const result = await q
      .updateTable('admin_jobs')
      .set((eb) => ({
        done: eb('done', '+', count),
        lease_expires_at: nowMs + leaseMs,
        updated_at: nowMs,
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records how many rows the job expects, once (a resumed job keeps the first count). */
  async setTotal(id: string, owner: string, total: number): Promise<void> {
    await this.db.kysely
      .updateTable('admin_jobs')
      .set({ total })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('total', 'is', null)
      .execute();
  }

  /** Ends the job held by `owner` as succeeded or failed; false when it was not held. */
  async finish(
    id: string,
    owner: string,
    outcome: { state: 'succeeded' | 'failed'; error?: string },
    nowMs: number,
  ): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('admin_jobs')
      .set({
        state: outcome.state,
        error: outcome.error ?? null,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: nowMs,
        finished_at: nowMs,
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Hands the lease of a job back without ending it, so the next scheduler tick of any node
   * resumes it (the node is shutting down, or the last attempt failed and may be retried).
   */
  async release(id: string, owner: string, error?: string): Promise<void> {
    await this.db.kysely
      .updateTable('admin_jobs')
      .set({ lease_owner: null, lease_expires_at: null, ...(error === undefined ? {} : { error }) })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .execute();
  }

  /** Deletes finished jobs that ended before `beforeMs`. */
  async pruneFinished(beforeMs: number): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('admin_jobs')
      .where('state', 'in', ['succeeded', 'failed'])
      .where('finished_at', '<', beforeMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
