import { setImmediate } from 'node:timers/promises';
import { businessDayCloses } from '../domain/calendar.js';
import { AppError } from '../domain/errors.js';
import type { QueueSettings } from '../domain/queue-settings.js';
import { parseQueueSettings } from '../domain/queue-settings.js';
import type { Tx } from '../store/db.js';
import type { BulkChanged, WaitingFilter } from '../store/repos/lifecycle.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import { batchSizeFor } from './batch-size.js';
import { queueKey, type CallbackEvents } from './callback-events.js';
import type { Clock } from './clock.js';
import type { QueueService } from './queues.js';
import type { WaitTimeService } from './wait-time.js';

const DAY_MS = 86_400_000;
/** How far back the end-of-day purge looks the first time it runs for a queue. */
const PURGE_FIRST_LOOKBACK_MS = DAY_MS;
const PURGE_MAX_LOOKBACK_MS = 7 * DAY_MS;
const UPCOMING_SCAN = 200;
// A call in progress or a finished callback is past cancelling.
const CANCELLABLE: readonly string[] = ['SCHEDULED', 'QUEUED', 'ROUTING'];

/** The scheduler's work on callbacks, plus the admin's purge and bulk cancel. */
export class LifecycleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly waitTime: WaitTimeService,
    private readonly audit: AuditService,
    private readonly events: CallbackEvents,
  ) {}

  /**
   * Runs a bulk change in batches sized by BatchSize, each batch with its events in one
   * transaction. From its first batch to its end a changed queue is in a bulk change: visitors of
   * the queue keep the figures from before it (EWT) instead of recounting a shrinking queue, and
   * the queue is marked changed once, at the end.
   */
  private async inBatches(
    change: (trx: Tx, limit: number) => Promise<BulkChanged[]>,
    type: string,
    now: number,
  ): Promise<number> {
    const size = batchSizeFor(this.store.db.caps);
    const changedQueues = new Map<string, BulkChanged>();
    let total = 0;
    try {
      for (;;) {
        const limit = size.next;
        const started = performance.now();
        const rows = await this.store.db.transaction(async (trx) => {
          const changed = await change(trx, limit);
          await this.events.recordBulk(trx, changed, type, now);
          return changed;
        });
        size.took(performance.now() - started, rows.length, limit);
        for (const row of rows) {
          const queue = queueKey(row.tenant_id, row.service_name);
          if (changedQueues.has(queue)) continue;
          changedQueues.set(queue, row);
          this.events.bulkChangeBegins(row);
        }
        total += rows.length;
        if (rows.length < limit) return total;
        // SQLite answers synchronously: without a turn of the event loop between batches, a long
        // purge would hold every request until it ends.
        await setImmediate();
      }
    } finally {
      for (const row of changedQueues.values()) this.events.bulkChangeEnds(row);
    }
  }

  /** SCHEDULED callbacks whose time has come become QUEUED. */
  promoteDue(now: number): Promise<number> {
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.promoteDue(trx, now, limit),
      'callback.queued',
      now,
    );
  }

  /** Callbacks whose dialer lease ran out go back to QUEUED. */
  recoverLeases(now: number): Promise<number> {
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.expireLeases(trx, now, limit),
      'callback.queued',
      now,
    );
  }

  private completeWaiting(filter: WaitingFilter, reason: string, now: number): Promise<number> {
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.completeWaiting(trx, filter, reason, now, limit),
      'callback.completed',
      now,
    );
  }

  /**
   * Every queue of every tenant, with a turn of the event loop before each. On SQLite a queue's
   * statements run synchronously, so a job over every queue in one go held every request until
   * it ended: raise-upcoming alone held the API 150-250 ms every 15 s at 51 queues.
   */
  private async *eachQueue(): AsyncGenerator<{ tenantId: string; settings: QueueSettings }> {
    for (const row of await this.store.queues.listAll()) {
      await setImmediate();
      yield { tenantId: row.tenant_id, settings: parseQueueSettings(JSON.parse(row.settings)) };
    }
  }

  /** Waiting callbacks past their time-to-live complete FAIL_TIMEOUT_TTL. */
  async expireTtl(now: number): Promise<number> {
    let total = 0;
    for await (const { tenantId, settings } of this.eachQueue()) {
      total += await this.completeWaiting(
        { tenantId, serviceName: settings.name, desiredBefore: now - settings.ttlSeconds * 1000 },
        'FAIL_TIMEOUT_TTL',
        now,
      );
    }
    return total;
  }

  /**
   * End-of-day purge: at each business-day close (in the queue's zone, on real instants, so a
   * DST day closes at its real local time) the callbacks still waiting for that day complete
   * PURGED. Queues with `purge.afterMinutes` purge those waiting longer instead. Each close is
   * handled once across nodes: the queue's progress is read and moved under a lock.
   */
  async purge(now: number): Promise<number> {
    let total = 0;
    for await (const { tenantId, settings } of this.eachQueue()) {
      if (settings.purge.afterMinutes !== null) {
        total += await this.completeWaiting(
          {
            tenantId,
            serviceName: settings.name,
            states: ['QUEUED'],
            desiredBefore: now - settings.purge.afterMinutes * 60_000,
          },
          'PURGED',
          now,
        );
      }
      if (settings.purge.atEndOfBusinessDay && settings.businessHours !== undefined) {
        total += await this.purgeClosedDays(tenantId, settings, now);
      }
    }
    return total;
  }

  /**
   * Purges each business-day close since the queue's recorded progress, in short batches so the
   * store is never held for long (SQLite has one writer). Nodes may run it together: a row is
   * completed once (its update re-checks the state), and progress only moves forward.
   */
  private async purgeClosedDays(tenantId: string, settings: QueueSettings, now: number) {
    const job = 'end-of-day-purge';
    const recorded = await this.store.db.transaction((trx) =>
      this.store.lifecycle.jobProgress(trx, tenantId, settings.name, job),
    );
    // After a long outage the TTL has long completed older leftovers: look back a week at most.
    const doneUntil = Math.max(
      recorded ?? now - PURGE_FIRST_LOOKBACK_MS,
      now - PURGE_MAX_LOOKBACK_MS,
    );
    const closes = businessDayCloses(settings.businessHours, settings.timezone, doneUntil, now + 1);
    let purged = 0;
    for (const close of closes) {
      purged += await this.inBatches(
        (trx, limit) =>
          this.store.lifecycle.completeWaiting(
            trx,
            {
              tenantId,
              serviceName: settings.name,
              desiredBefore: close.close,
              waitForLocked: true,
            },
            'PURGED',
            now,
            limit,
          ),
        'callback.completed',
        now,
      );
      await this.setProgress(tenantId, settings.name, job, close.close + 1);
    }
    await this.setProgress(tenantId, settings.name, job, now + 1);
    return purged;
  }

  private setProgress(tenantId: string, serviceName: string, job: string, until: number) {
    return this.store.db.transaction((trx) =>
      this.store.lifecycle.setJobProgress(trx, tenantId, serviceName, job, until),
    );
  }

  /** Keeps the store's query plans good as the callbacks table grows and shrinks. */
  refreshPlannerStatistics(): Promise<void> {
    return this.store.db.optimize();
  }

  /** Completed callbacks older than the queue's retention are deleted. */
  async applyRetention(now: number): Promise<number> {
    let total = 0;
    for await (const { tenantId, settings } of this.eachQueue()) {
      const before = now - settings.retentionDays * DAY_MS;
      const size = batchSizeFor(this.store.db.caps);
      for (;;) {
        const limit = size.next;
        const started = performance.now();
        const deleted = await this.store.lifecycle.deleteCompleted(
          tenantId,
          settings.name,
          before,
          limit,
        );
        size.took(performance.now() - started, deleted, limit);
        total += deleted;
        if (deleted < limit) break;
        await setImmediate();
      }
    }
    return total;
  }

  /**
   * Raises CALLBACK_UPCOMING once for each queued callback whose wait fell below the threshold,
   * in one transaction per queue (a surge puts hundreds of callbacks of a queue below it at once).
   */
  async raiseUpcoming(now: number): Promise<number> {
    let raised = 0;
    for await (const { tenantId, settings } of this.eachQueue()) {
      if (settings.pushThresholdMinutes <= 0) continue;
      const queued = await this.store.lifecycle.queuedInOrder(
        tenantId,
        settings.name,
        UPCOMING_SCAN,
      );
      const due: typeof queued = [];
      for (const [ahead, row] of queued.entries()) {
        const wait = await this.waitTime.waitBehind(tenantId, settings.name, ahead);
        // Unknown (-1), or too long: and everyone further back waits at least as long.
        if (wait < 0 || wait >= settings.pushThresholdMinutes * 60) break;
        if (row.upcoming_notified_at === null) due.push(row);
      }
      if (due.length === 0) continue;
      raised += await this.store.db.transaction(async (trx) => {
        // Another node may have raised some of them first: those get no second event.
        const marked = new Set(
          await this.store.lifecycle.markUpcoming(
            trx,
            tenantId,
            due.map((row) => row.id),
            now,
          ),
        );
        const rows = due.filter((row) => marked.has(row.id));
        // Nothing a queue's figures are derived from has changed.
        await this.events.record(trx, rows, 'CALLBACK_UPCOMING', now, { markQueues: false });
        return rows.length;
      });
    }
    return raised;
  }

  /** Purges a queue now: every waiting callback completes PURGED. */
  async purgeNow(actor: Actor, serviceName: string): Promise<number> {
    const settings = await this.queues.get(actor.tenantId, serviceName);
    const now = this.clock.now();
    const purged = await this.completeWaiting(
      { tenantId: actor.tenantId, serviceName: settings.name },
      'PURGED',
      now,
    );
    await this.audit.record(actor, 'queue.purge', settings.name, undefined, { purged });
    return purged;
  }

  /** Cancels waiting callbacks by ids or by filter, as CANCELLED_BY_ADMIN. */
  async bulkCancel(
    actor: Actor,
    selection: { ids?: string[]; serviceName?: string; states?: string[]; phoneNumber?: string },
  ): Promise<number> {
    const hasFilter =
      selection.serviceName !== undefined ||
      selection.states !== undefined ||
      selection.phoneNumber !== undefined;
    if ((selection.ids === undefined || selection.ids.length === 0) && !hasFilter) {
      throw new AppError(
        'MISSING_PARAMETER',
        'Give ids or a filter (serviceName, states, phoneNumber)',
      );
    }
    const states = (selection.states ?? CANCELLABLE).filter((s) => CANCELLABLE.includes(s));
    if (states.length === 0) {
      throw new AppError(
        'INVALID_PARAMETER',
        'states: only SCHEDULED, QUEUED and ROUTING callbacks can be cancelled',
      );
    }
    // An empty id list selects nothing (and `in ()` is not SQL PostgreSQL accepts).
    if (selection.ids !== undefined && selection.ids.length === 0) return 0;
    const now = this.clock.now();
    const cancelled = await this.inBatches(
      (trx, limit) =>
        this.store.lifecycle.completeWaiting(
          trx,
          { tenantId: actor.tenantId, ...selection, states },
          'CANCELLED_BY_ADMIN',
          now,
          limit,
        ),
      'callback.cancelled',
      now,
    );
    await this.audit.record(
      actor,
      'callbacks.bulk-cancel',
      selection.serviceName ?? '*',
      undefined,
      {
        selection,
        cancelled,
      },
    );
    return cancelled;
  }
}
