import crypto from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { newId } from '../security/tokens.js';
import type { Store } from '../store/index.js';
import type { AdminJobRow } from '../store/repos/admin-jobs.js';
import type { WaitingFilter } from '../store/repos/lifecycle.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import type { BulkCancelSelection, LifecycleService } from './lifecycle.js';

export type AdminJobKind = 'purge' | 'bulk-cancel';
export type AdminJobState = 'queued' | 'running' | 'succeeded' | 'failed';

/** What the API shows of a job: its state and progress, and what it did once it ended. */
export interface AdminJobView {
  id: string;
  kind: AdminJobKind;
  state: AdminJobState;
  /** Callbacks completed so far. */
  done: number;
  /** Callbacks the job expected when it started; grows with `done` if bookings arrived meanwhile. */
  total: number | null;
  serviceName?: string;
  error?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

interface JobParams {
  filter: WaitingFilter;
  /** The selection as the admin gave it, for the audit record. */
  selection?: BulkCancelSelection;
}

/** A job's progress write found another node holding it: stop without touching it further. */
class LeaseLost extends Error {}

// A job that failed this often (each time on some node) is given up and reported failed.
const MAX_ATTEMPTS = 3;
const DAY_MS = 86_400_000;
const KEEP_FINISHED_MS = 7 * DAY_MS;

const REASON: Record<AdminJobKind, 'PURGED' | 'CANCELLED_BY_ADMIN'> = {
  purge: 'PURGED',
  'bulk-cancel': 'CANCELLED_BY_ADMIN',
};
const AUDIT_ACTION: Record<AdminJobKind, string> = {
  purge: 'queue.purge',
  'bulk-cancel': 'callbacks.bulk-cancel',
};

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

function view(row: AdminJobRow): AdminJobView {
  const params = JSON.parse(row.params) as JobParams;
  const serviceName = params.filter.serviceName;
  const startedAt = iso(row.started_at);
  const finishedAt = iso(row.finished_at);
  return {
    id: row.id,
    kind: row.kind as AdminJobKind,
    state: row.state as AdminJobState,
    done: Number(row.done),
    // Bookings that arrived during a purge are purged too: never report more done than total.
    total: row.total === null ? null : Math.max(Number(row.total), Number(row.done)),
    ...(serviceName === undefined ? {} : { serviceName }),
    ...(row.error === null ? {} : { error: row.error }),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}

/**
 * Purge-now and bulk cancel as jobs: the request stores the job and answers at once; the node
 * that took it works through it in batches, writing progress with each batch under a lease, and
 * any node's scheduler resumes a job whose lease ran out (its node died or stopped).
 */
export class AdminJobService {
  /** This node's name on the leases it takes. */
  private readonly owner = `node-${crypto.randomUUID()}`;
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly lifecycle: LifecycleService,
    private readonly audit: AuditService,
    private readonly leaseMs: number,
  ) {}

  /** Starts purging every waiting callback of a queue; 40402 for an unknown queue. */
  async startPurge(actor: Actor, serviceName: string): Promise<AdminJobView> {
    const filter = await this.lifecycle.purgeSelection(actor.tenantId, serviceName);
    return this.start(actor, 'purge', { filter });
  }

  /** Starts cancelling the selected waiting callbacks; 400 for a selection that takes none. */
  startBulkCancel(actor: Actor, selection: BulkCancelSelection): Promise<AdminJobView> {
    const filter = this.lifecycle.bulkCancelSelection(actor.tenantId, selection);
    return this.start(actor, 'bulk-cancel', { filter, selection });
  }

  /** One job of the tenant, or 40403. */
  async get(tenantId: string, id: string): Promise<AdminJobView> {
    const row = await this.store.adminJobs.get(tenantId, id);
    if (row === undefined) throw new AppError('NOT_FOUND', `No job ${id}`);
    return view(row);
  }

  /**
   * The scheduler's part: takes over every job nobody holds (its node died, or it has not been
   * started) and runs them one after the other. Returns how many it ran.
   */
  async runDue(): Promise<number> {
    let ran = 0;
    while (!this.stopping) {
      const row = await this.store.adminJobs.claim(this.owner, this.clock.now(), this.leaseMs);
      if (row === undefined) break;
      await this.track(this.work(row));
      ran++;
    }
    return ran;
  }

  /** Deletes jobs that ended more than a week ago. */
  prune(): Promise<number> {
    return this.store.adminJobs.pruneFinished(this.clock.now() - KEEP_FINISHED_MS);
  }

  /**
   * Stops taking jobs and waits for the ones running here: each stops after its current batch
   * and hands its lease back, so another node (or this one, restarted) finishes it at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running]);
  }

  /** Resolves when every job this node is running has ended (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async start(actor: Actor, kind: AdminJobKind, params: JobParams) {
    const now = this.clock.now();
    const id = newId('job', now);
    // Stored already held by this node: no other node's scheduler can take it before it starts.
    await this.store.adminJobs.insert({
      id,
      tenant_id: actor.tenantId,
      kind,
      params: JSON.stringify(params),
      actor: JSON.stringify(actor),
      state: 'running',
      done: 0,
      total: null,
      error: null,
      lease_owner: this.owner,
      lease_expires_at: now + this.leaseMs,
      attempts: 1,
      created_at: now,
      started_at: now,
      updated_at: now,
      finished_at: null,
    });
    const row = await this.store.adminJobs.get(actor.tenantId, id);
    if (row === undefined) throw new AppError('INTERNAL', 'The job was not stored');
    void this.track(this.work(row));
    return view(row);
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    return work.finally(() => this.running.delete(work));
  }

  /** Works through one job this node holds; never throws. */
  private async work(row: AdminJobRow): Promise<void> {
    const kind = row.kind as AdminJobKind;
    const params = JSON.parse(row.params) as JobParams;
    const jobs = this.store.adminJobs;
    try {
      if (row.total === null) {
        await jobs.setTotal(row.id, this.owner, await this.lifecycle.countSelected(params.filter));
      }
      await this.lifecycle.completeSelected(params.filter, REASON[kind], async (trx, changed) => {
        if (this.stopping) throw new LeaseLost('stopping');
        const held = await jobs.progress(
          trx,
          row.id,
          this.owner,
          changed,
          this.clock.now(),
          this.leaseMs,
        );
        // Another node took the job over (this one was too slow to renew): undo this batch.
        if (!held) throw new LeaseLost('lease lost');
      });
      if (!(await jobs.finish(row.id, this.owner, { state: 'succeeded' }, this.now()))) return;
      const done = Number((await jobs.get(row.tenant_id, row.id))?.done ?? 0);
      const target =
        (kind === 'purge' ? params.filter.serviceName : params.selection?.serviceName) ?? '*';
      await this.audit.record(
        JSON.parse(row.actor) as Actor,
        AUDIT_ACTION[kind],
        target,
        undefined,
        kind === 'purge'
          ? { purged: done, jobId: row.id }
          : { selection: params.selection, cancelled: done, jobId: row.id },
      );
    } catch (error) {
      if (error instanceof LeaseLost) {
        if (this.stopping) await jobs.release(row.id, this.owner).catch(() => undefined);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      // The work is resumable (completed callbacks are not selected again): retry elsewhere a
      // few times before reporting a failure.
      const giveUp = Number(row.attempts) >= MAX_ATTEMPTS;
      await (
        giveUp
          ? jobs.finish(row.id, this.owner, { state: 'failed', error: message }, this.now())
          : jobs.release(row.id, this.owner, message)
      ).catch(() => undefined);
    }
  }

  private now(): number {
    return this.clock.now();
  }
}
