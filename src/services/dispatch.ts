import {
  HELD_STATES,
  STATE,
  afterAttempt,
  mayRetry,
  type AfterAttempt,
  type CallbackState,
  type Outcome,
} from '../domain/callback-state.js';
import { AppError } from '../domain/errors.js';
import { formatUtc } from '../domain/time.js';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';
import type { Tx } from '../store/db.js';
import type { HeldChange } from '../store/repos/lifecycle.js';
import type { Clock } from '../infra/clock.js';
import type { QueueActivity } from '../infra/queue-activity.js';
import type { QueueSettings } from '../domain/queue-settings.js';
import type { QueueService } from './queues.js';
import { freshAgents, type AgentCounts, type AgentReport, type AgentSource } from './wait-time.js';

// The dispatch routes import these from here.
export { OUTCOMES, type Outcome } from '../domain/callback-state.js';

/** A callback as the dispatch use cases return it (dialerView makes the dialer's view of it). */
export type DispatchedCallback = CallbackRow;

/** The dialer's view of a callback: everything needed to place the call. */
export function dialerView(row: DispatchedCallback) {
  const details = JSON.parse(row.details) as { routePoint?: string };
  return {
    id: row.id,
    serviceName: row.service_name,
    phoneNumber: row.phone_number,
    callbackState: row.state,
    ...(row.reason === null ? {} : { callbackReason: row.reason }),
    desiredTime: formatUtc(row.desired_time),
    priority: row.priority,
    attempts: row.attempts,
    userData: JSON.parse(row.user_data) as Record<string, string>,
    ...(details.routePoint === undefined ? {} : { routePoint: details.routePoint }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: formatUtc(row.lease_expires_at) }),
  };
}

/** The event of a claimed callback. */
export const CLAIM_EVENT = 'callback.routing';

/** The dialer places the call: ROUTING → PROCESSING, the lease no longer runs out. */
export const START_CHANGE: HeldChange = {
  set: { state: STATE.PROCESSING, lease_expires_at: null },
  addAttempt: false,
  eventType: 'callback.processing',
};

const RELEASE_CHANGE: HeldChange = {
  set: { state: STATE.QUEUED, lease_owner: null, lease_expires_at: null },
  addAttempt: false,
  eventType: 'callback.queued',
};

/** The change an ended attempt makes: completed, or re-scheduled after the retry delay. */
export function finishChange(next: AfterAttempt, now: number, retryDelaySeconds: number) {
  const released = { lease_owner: null, lease_expires_at: null };
  const change: HeldChange =
    next.state === STATE.COMPLETED
      ? {
          set: { ...released, state: next.state, reason: next.reason, completed_at: now },
          addAttempt: true,
          eventType: 'callback.completed',
        }
      : {
          set: { ...released, state: next.state, desired_time: now + retryDelaySeconds * 1000 },
          addAttempt: true,
          eventType: 'callback.rescheduled',
        };
  return change;
}

/** Ids with the same change, together (one statement each). */
function grouped(changes: readonly (readonly [string, HeldChange])[]) {
  const groups = new Map<string, { change: HeldChange; ids: string[] }>();
  for (const [id, change] of changes) {
    const key = JSON.stringify(change);
    const group = groups.get(key) ?? { change, ids: [] };
    group.ids.push(id);
    groups.set(key, group);
  }
  return groups;
}

/** Agent reports older than this no longer count for EWT (the report's age itself counts). */
const AGENT_REPORT_FRESH_MS = 5 * 60_000;
const LONG_POLL_STEP_MS = 250;
/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The dispatch API's use cases: dialers claim, start and finish callbacks. */
export class DispatchService implements AgentSource {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly activity: QueueActivity,
  ) {}

  /** Records the agents a dialer sees for a queue (feeds EWT mode2). */
  async reportAgents(tenantId: string, serviceName: string, loggedIn: number, available: number) {
    await this.queues.get(tenantId, serviceName);
    if (available > loggedIn) {
      throw new AppError('INVALID_PARAMETER', 'available cannot exceed loggedIn');
    }
    await this.store.lifecycle.reportAgents(
      tenantId,
      serviceName,
      loggedIn,
      available,
      this.clock.now(),
    );
    // The queue's figures (EWT, queue-status) depend on the report: the next answer sees it.
    this.activity.touched(tenantId, serviceName);
  }

  /** Fresh agent counts of a queue, for EWT. */
  async agentsFor(tenantId: string, serviceName: string): Promise<AgentCounts | undefined> {
    return freshAgents(await this.agentReport(tenantId, serviceName), this.clock.now());
  }

  /** The agent counts a dialer last reported for a queue, with how long they count. */
  async agentReport(tenantId: string, serviceName: string): Promise<AgentReport | undefined> {
    const row = await this.store.lifecycle.agents(tenantId, serviceName);
    if (!row) return undefined;
    return {
      loggedIn: row.logged_in,
      available: row.available,
      freshUntil: row.reported_at + AGENT_REPORT_FRESH_MS,
    };
  }

  /**
   * Claims the next QUEUED callback of the queues for `dialer` (→ ROUTING with a lease). With
   * `waitMs`, waits up to that long for one to arrive (long-poll).
   */
  async claim(
    tenantId: string,
    serviceNames: string[],
    dialer: string,
    leaseSeconds: number,
    waitMs = 0,
  ): Promise<CallbackRow | undefined> {
    const [row] = await this.claimMany(tenantId, serviceNames, dialer, leaseSeconds, waitMs, 1);
    return row;
  }

  /**
   * Claims up to `max` callbacks at once, in dialing order: a dialer with free lines fills them
   * in one transaction instead of one per line. With `waitMs`, waits up to that long for at
   * least one to arrive (long-poll), unless `signal` aborts: a dialer that hung up claims nothing
   * more (what it released would otherwise be claimed again by its own orphaned poll).
   */
  async claimMany(
    tenantId: string,
    serviceNames: string[],
    dialer: string,
    leaseSeconds: number,
    waitMs: number,
    max: number,
    signal?: AbortSignal,
  ): Promise<CallbackRow[]> {
    for (const name of serviceNames) await this.queues.get(tenantId, name);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (signal?.aborted === true) return [];
      const claimed = await this.claimOnce(tenantId, serviceNames, dialer, leaseSeconds, max);
      if (claimed.length > 0 || Date.now() >= deadline) return claimed;
      await sleep(Math.min(LONG_POLL_STEP_MS, deadline - Date.now()), signal);
    }
  }

  private async claimOnce(
    tenantId: string,
    serviceNames: string[],
    dialer: string,
    leaseSeconds: number,
    max: number,
  ) {
    const now = this.clock.now();
    const rows = await this.store.lifecycle.claimNext({
      tenantId,
      serviceNames,
      owner: dialer,
      leaseUntil: now + leaseSeconds * 1000,
      now,
      limit: max,
      eventType: CLAIM_EVENT,
    });
    this.touched(rows);
    return rows;
  }

  private touched(rows: readonly CallbackRow[]) {
    for (const row of rows) this.activity.touched(row.tenant_id, row.service_name);
  }

  /**
   * Changes callbacks the dialer holds: each id gets the changed callback or its own error (not
   * found, or a state conflict), so one stale id does not fail the batch. A change known from
   * the id alone needs no read first: one statement per distinct change (on PostgreSQL one round
   * trip with its events). A change that depends on the row (a retry counts the attempts) reads
   * and locks the rows first, all in one transaction.
   */
  private async changeHeld(
    tenantId: string,
    ids: readonly string[],
    dialer: string,
    from: readonly CallbackState[],
    plan: { byId: (id: string) => HeldChange } | { byRow: (row: CallbackRow) => HeldChange },
  ): Promise<Map<string, CallbackRow | AppError>> {
    if (new Set(ids).size !== ids.length) {
      throw new AppError('INVALID_PARAMETER', 'each callback may appear once in a batch');
    }
    const now = this.clock.now();
    const apply = async (groups: Map<string, { change: HeldChange; ids: string[] }>, trx?: Tx) => {
      const changed: CallbackRow[] = [];
      for (const { change, ids: some } of groups.values()) {
        changed.push(
          ...(await this.store.lifecycle.heldTransition(
            tenantId,
            some,
            dialer,
            from,
            change,
            now,
            trx,
          )),
        );
      }
      return changed;
    };
    let changed: CallbackRow[];
    if ('byId' in plan) {
      const groups = grouped(ids.map((id) => [id, plan.byId(id)]));
      // Several statements must still commit together.
      changed =
        groups.size === 1
          ? await apply(groups)
          : await this.store.db.transaction((trx) => apply(groups, trx));
    } else {
      changed = await this.store.db.transaction(async (trx) => {
        const rows = await this.store.lifecycle.lockByIds(tenantId, ids, trx);
        const held = rows.filter((r) => from.includes(r.state) && r.lease_owner === dialer);
        return apply(grouped(held.map((row) => [row.id, plan.byRow(row)])), trx);
      });
    }
    this.touched(changed);
    const byId = new Map(changed.map((row) => [row.id, row]));
    const missing = ids.filter((id) => !byId.has(id));
    // Why an id was not changed is read only when one was not (a stale or foreign id).
    const current = new Map(
      missing.length === 0
        ? []
        : (await this.store.lifecycle.lockByIds(tenantId, missing, this.store.db.kysely)).map(
            (r) => [r.id, r],
          ),
    );
    const outcome = new Map<string, CallbackRow | AppError>();
    for (const id of ids) {
      const row = byId.get(id) ?? current.get(id);
      if (!row) {
        outcome.set(id, new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`));
      } else if (byId.has(id)) outcome.set(id, row);
      else if (!from.includes(row.state) || row.lease_owner !== dialer) {
        const why = row.lease_owner === dialer ? '' : ' and not held by this dialer';
        outcome.set(id, new AppError('STATE_CONFLICT', `Callback ${id} is ${row.state}${why}`));
      } else {
        outcome.set(id, new AppError('STATE_CONFLICT', `Callback ${id} changed meanwhile`));
      }
    }
    return outcome;
  }

  /** The one callback of a single-callback change, or its error thrown. */
  private static only(results: Map<string, CallbackRow | AppError>, id: string): CallbackRow {
    const result = results.get(id);
    if (result === undefined || result instanceof AppError) {
      throw result ?? new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`);
    }
    return result;
  }

  /** The dialer places the calls (ROUTING → PROCESSING). */
  startMany(tenantId: string, ids: readonly string[], dialer: string) {
    return this.changeHeld(tenantId, ids, dialer, [STATE.ROUTING], { byId: () => START_CHANGE });
  }

  /** The dialer places the call (ROUTING → PROCESSING). */
  async start(tenantId: string, id: string, dialer: string): Promise<CallbackRow> {
    return DispatchService.only(await this.startMany(tenantId, [id], dialer), id);
  }

  /** Gives a claimed callback back to the queue, keeping its place. */
  async release(tenantId: string, id: string, dialer: string): Promise<CallbackRow> {
    const results = await this.changeHeld(tenantId, [id], dialer, [STATE.ROUTING], {
      byId: () => RELEASE_CHANGE,
    });
    return DispatchService.only(results, id);
  }

  /**
   * Ends attempts. No answer or busy re-schedules after retryDelaySeconds until maxAttempts,
   * then completes FAIL_CALL_TO_CUSTOMER; the retry keeps its place (requested_at is unchanged).
   */
  async finishMany(
    tenantId: string,
    results: readonly { id: string; outcome: Outcome }[],
    dialer: string,
  ) {
    const outcomes = new Map(results.map((r) => [r.id, r.outcome]));
    const ids = results.map((r) => r.id);
    const outcomeOf = (id: string) => {
      const outcome = outcomes.get(id);
      if (outcome === undefined) throw new Error(`Callback ${id} was not asked for`);
      return outcome;
    };
    const now = this.clock.now();
    // Outcomes that end the callback whatever the count need neither the row nor its queue.
    if (!results.some((r) => mayRetry(r.outcome))) {
      return this.changeHeld(tenantId, ids, dialer, HELD_STATES, {
        byId: (id) => finishChange(afterAttempt(outcomeOf(id), 1, 1), now, 0),
      });
    }
    // Settings come before the transaction: on SQLite a settings read inside it would wait for
    // the connection the transaction holds. A callback's queue never changes.
    const settings = new Map<string, QueueSettings>();
    for (const name of await this.store.lifecycle.queuesOf(tenantId, ids)) {
      settings.set(name, await this.queues.get(tenantId, name));
    }
    return this.changeHeld(tenantId, ids, dialer, HELD_STATES, {
      byRow: (row) => {
        const queue = settings.get(row.service_name);
        if (queue === undefined) throw new Error(`Callback ${row.id} has no queue`);
        const next = afterAttempt(outcomeOf(row.id), row.attempts + 1, queue.maxAttempts);
        return finishChange(next, now, queue.retryDelaySeconds);
      },
    });
  }

  /** Ends one attempt (see finishMany). */
  async finish(
    tenantId: string,
    id: string,
    dialer: string,
    outcome: Outcome,
  ): Promise<CallbackRow> {
    return DispatchService.only(await this.finishMany(tenantId, [{ id, outcome }], dialer), id);
  }
}
