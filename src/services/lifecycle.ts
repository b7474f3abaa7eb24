import { setImmediate } from 'node:timers/promises';
import { businessDayCloses } from '../domain/calendar.js';
import {
  CANCELLABLE_STATES,
  STATE,
  isCallbackState,
  type CallbackState,
} from '../domain/callback-state.js';
import { AppError } from '../domain/errors.js';
import type { QueueSettings } from '../domain/queue-settings.js';
import type { Tx } from '../store/db.js';
import type { BulkChanged, WaitingFilter } from '../store/repos/lifecycle.js';
import type { Store } from '../store/index.js';
import type { Actor } from './audit.js';
import { batchSizeFor } from '../infra/batch-size.js';
import { queueKey } from '../infra/queue-activity.js';
import type { CallbackEventWriter } from './event-writer.js';
import type { Clock } from '../infra/clock.js';
import type { QueueService } from './queues.js';
import type { WaitTimeService } from './wait-time.js';

const DAY_MS = 86_400_000;
/** How far back the end-of-day purge looks the first time it runs for a queue. */
const PURGE_FIRST_LOOKBACK_MS = DAY_MS;
const PURGE_MAX_LOOKBACK_MS = 7 * DAY_MS;
const UPCOMING_SCAN = 200;

/** The scheduler's work on callbacks, plus the admin's purge and bulk cancel. */
export class LifecycleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly waitTime: WaitTimeService,
    private readonly eventWriter: CallbackEventWriter,
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
    onBatch?: BatchHook,
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
          await this.eventWriter.recordBulk(trx, changed, type, now);
          if (changed.length > 0) await onBatch?.(trx, changed.length);
          return changed;
        });
        size.took(performance.now() - started, rows.length, limit);
        for (const row of rows) {
          const queue = queueKey(row.tenant_id, row.service_name);
          if (changedQueues.has(queue)) continue;
          changedQueues.set(queue, row);
          this.eventWriter.bulkChangeBegins(row);
        }
        total += rows.length;
        if (rows.length < limit) return total;
        // SQLite answers synchronously: without a turn of the event loop between batches, a long
        // purge would hold every request until it ends.
        await setImmediate();
      }
    } finally {
      for (const row of changedQueues.values()) this.eventWriter.bulkChangeEnds(row);
    }
  }

  /** SCHEDULED callbacks whose time has come become QUEUED. */
  promoteDue(now: number): Promise<number> {
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.promoteDue(now, limit, trx),
      'callback.queued',
      now,
    );
  }

  /** Callbacks whose dialer lease ran out go back to QUEUED. */
  recoverLeases(now: number): Promise<number> {
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.expireLeases(now, limit, trx),
      'callback.queued',
      now,
    );
  }

  private completeWaiting(filter: WaitingFilter, reason: string, now: number): Promise<number> {
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.completeWaiting(filter, reason, now, limit, trx),
      'callback.completed',
      now,
    );
  }

  /**
   * Every queue of every tenant, with a turn of the event loop before each. On SQLite a queue's
   * statements run synchronously, so a job over every queue in one go would hold every request
   * until it ended (bench/README.md).
   */
  private async *eachQueue(): AsyncGenerator<{ tenantId: string; settings: QueueSettings }> {
    for (const row of await this.store.queues.listAll()) {
      await setImmediate();
      yield {
        tenantId: row.tenant_id,
        settings: this.queues.settingsOf(row.tenant_id, row.name, row.settings),
      };
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
            states: [STATE.QUEUED],
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
      this.store.lifecycle.jobProgress(tenantId, settings.name, job, trx),
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
            {
              tenantId,
              serviceName: settings.name,
              desiredBefore: close.close,
              waitForLocked: true,
            },
            'PURGED',
            now,
            limit,
            trx,
          ),
        'callback.completed',
        now,
      );
      await this.setProgress(tenantId, settings.name, job, close.close + 1);
    }
    // Nothing is written between closes: every 30 s for each of thousands of queues, that was a
    // write per queue with nothing done.
    return purged;
  }

  private setProgress(tenantId: string, serviceName: string, job: string, until: number) {
    return this.store.db.transaction((trx) =>
      this.store.lifecycle.setJobProgress(tenantId, serviceName, job, until, trx),
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
            tenantId,
            due.map((row) => row.id),
            now,
            trx,
          ),
        );
        const rows = due.filter((row) => marked.has(row.id));
        // Nothing a queue's figures are derived from has changed.
        await this.eventWriter.record(trx, rows, 'CALLBACK_UPCOMING', now, { markQueues: false });
        return rows.length;
      });
    }
    return raised;
  }

  /** Which callbacks "purge now" takes of a queue: every waiting one. 40402 for no such queue. */
  async purgeSelection(tenantId: string, serviceName: string): Promise<WaitingFilter> {
    const settings = await this.queues.get(tenantId, serviceName);
    return { tenantId, serviceName: settings.name };
  }

  /**
   * Deletes a queue. One with active callbacks is refused (409, 40904): they would wait forever,
   * with no queue to be claimed from. With `cancelActive` its waiting callbacks are cancelled
   * (CANCELLED_BY_ADMIN) first; callbacks on a call (PROCESSING) still hold the queue.
   */
  async deleteQueue(actor: Actor, name: string, cancelActive: boolean): Promise<number> {
    const settings = await this.queues.get(actor.tenantId, name);
    const cancelled = cancelActive
      ? await this.completeSelected(
          this.bulkCancelSelection(actor.tenantId, { serviceName: settings.name }),
          'CANCELLED_BY_ADMIN',
        )
      : 0;
    const active = Object.fromEntries(
      await this.store.queueStats.activeByState(actor.tenantId, settings.name),
    );
    const total = Object.values(active).reduce((sum, n) => sum + n, 0);
    if (total > 0) {
      const byState = Object.entries(active)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ');
      throw new AppError(
        'CONFLICT',
        cancelActive
          ? `Queue ${settings.name} still has callbacks on a call (${byState}); delete it when they finish`
          : `Queue ${settings.name} has active callbacks (${byState}); cancel them first or delete with cancelActive=true`,
        { active },
      );
    }
    await this.queues.delete(actor, settings.name);
    return cancelled;
  }

  /** Which callbacks a bulk cancel takes, or 400 when the selection names none it could cancel. */
  bulkCancelSelection(tenantId: string, selection: BulkCancelSelection): WaitingFilter {
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
    const states = (selection.states ?? CANCELLABLE_STATES).filter(
      (s): s is CallbackState => isCallbackState(s) && CANCELLABLE_STATES.includes(s),
    );
    if (states.length === 0) {
      throw new AppError(
        'INVALID_PARAMETER',
        'states: only SCHEDULED, QUEUED and ROUTING callbacks can be cancelled',
      );
    }
    return { tenantId, ...selection, states };
  }

  /** How many callbacks a selection takes right now. */
  countSelected(filter: WaitingFilter): Promise<number> {
    return this.store.lifecycle.countWaiting(filter);
  }

  /**
   * Completes the selected callbacks as PURGED or CANCELLED_BY_ADMIN in batches; `onBatch` runs
   * in each batch's transaction (an admin job records its progress there). Running it again
   * after an interruption finishes the rest: completed callbacks are no longer selected.
   */
  completeSelected(
    filter: WaitingFilter,
    reason: 'PURGED' | 'CANCELLED_BY_ADMIN',
    onBatch?: BatchHook,
  ): Promise<number> {
    const now = this.clock.now();
    return this.inBatches(
      (trx, limit) => this.store.lifecycle.completeWaiting(filter, reason, now, limit, trx),
      reason === 'PURGED' ? 'callback.completed' : 'callback.cancelled',
      now,
      onBatch,
    );
  }
}

/** What a bulk cancel may select callbacks by. */
export interface BulkCancelSelection {
  ids?: string[];
  serviceName?: string;
  states?: string[];
  phoneNumber?: string;
}

/** Runs in a bulk change's batch transaction with the number of callbacks the batch changed. */
export type BatchHook = (trx: Tx, changed: number) => Promise<void>;
