import { AppError } from '../domain/errors.js';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';
import type { Clock } from './clock.js';
import type { CallbackEvents, QueueActivity } from './callback-events.js';
import type { QueueService } from './queues.js';
import type { AgentCounts, AgentSource } from './wait-time.js';

/** What a dialer reports when a call attempt ends. */
export const OUTCOMES = [
  'AGENT_CONNECTED',
  'NO_ANSWER',
  'BUSY',
  'FAIL_AGENT_CONNECT',
  'FAIL_ERROR',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Agent reports older than this no longer count for EWT. */
const AGENT_REPORT_FRESH_MS = 5 * 60_000;
const LONG_POLL_STEP_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The dispatch API's use cases: dialers claim, start and finish callbacks. */
export class DispatchService implements AgentSource {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly events: CallbackEvents,
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
  }

  /** Fresh agent counts of a queue, for EWT. */
  async agentsFor(tenantId: string, serviceName: string): Promise<AgentCounts | undefined> {
    const row = await this.store.lifecycle.agents(tenantId, serviceName);
    if (!row || this.clock.now() - row.reported_at > AGENT_REPORT_FRESH_MS) return undefined;
    return { loggedIn: row.logged_in, available: row.available };
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
    for (const name of serviceNames) await this.queues.get(tenantId, name);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claimed = await this.claimOnce(tenantId, serviceNames, dialer, leaseSeconds);
      if (claimed || Date.now() >= deadline) return claimed;
      await sleep(Math.min(LONG_POLL_STEP_MS, deadline - Date.now()));
    }
  }

  private claimOnce(
    tenantId: string,
    serviceNames: string[],
    dialer: string,
    leaseSeconds: number,
  ) {
    const now = this.clock.now();
    return this.store.db.transaction(async (trx) => {
      const row = await this.store.lifecycle.claimNext(
        trx,
        tenantId,
        serviceNames,
        dialer,
        now + leaseSeconds * 1000,
        now,
      );
      if (row) await this.events.record(trx, [row], 'callback.routing', now);
      return row;
    });
  }

  // Changes a callback the dialer holds; anything else is a state conflict (or not found).
  private async change(
    tenantId: string,
    id: string,
    dialer: string,
    from: readonly string[],
    set: (row: CallbackRow) => Partial<CallbackRow>,
    eventType: (row: CallbackRow) => string,
  ): Promise<CallbackRow> {
    const now = this.clock.now();
    return this.store.db.transaction(async (trx) => {
      const current = await this.store.callbacks.get(tenantId, id, trx);
      if (!current) throw new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`);
      if (!from.includes(current.state) || current.lease_owner !== dialer) {
        throw new AppError(
          'STATE_CONFLICT',
          `Callback ${id} is ${current.state}${current.lease_owner === dialer ? '' : ' and not held by this dialer'}`,
        );
      }
      const updated = await this.store.callbacks.transition(trx, tenantId, id, from, {
        ...set(current),
        updated_at: now,
      });
      if (!updated) throw new AppError('STATE_CONFLICT', `Callback ${id} changed meanwhile`);
      await this.events.record(trx, [updated], eventType(updated), now);
      return updated;
    });
  }

  /** The dialer places the call (ROUTING → PROCESSING). */
  start(tenantId: string, id: string, dialer: string): Promise<CallbackRow> {
    return this.change(
      tenantId,
      id,
      dialer,
      ['ROUTING'],
      () => ({ state: 'PROCESSING', lease_expires_at: null }),
      () => 'callback.processing',
    );
  }

  /** Gives a claimed callback back to the queue, keeping its place. */
  release(tenantId: string, id: string, dialer: string): Promise<CallbackRow> {
    return this.change(
      tenantId,
      id,
      dialer,
      ['ROUTING'],
      () => ({ state: 'QUEUED', lease_owner: null, lease_expires_at: null }),
      () => 'callback.queued',
    );
  }

  /**
   * Ends an attempt. No answer or busy re-schedules after retryDelaySeconds until maxAttempts,
   * then completes FAIL_CALL_TO_CUSTOMER; the retry keeps its place (requested_at is unchanged).
   */
  async finish(
    tenantId: string,
    id: string,
    dialer: string,
    outcome: Outcome,
  ): Promise<CallbackRow> {
    const current = await this.store.callbacks.get(tenantId, id);
    if (!current) throw new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`);
    const settings = await this.queues.get(tenantId, current.service_name);
    const now = this.clock.now();
    const complete = (reason: string) => ({
      state: 'COMPLETED',
      reason,
      completed_at: now,
      lease_owner: null,
      lease_expires_at: null,
    });
    return this.change(
      tenantId,
      id,
      dialer,
      ['ROUTING', 'PROCESSING'],
      (row) => {
        const attempts = row.attempts + 1;
        switch (outcome) {
          case 'AGENT_CONNECTED':
          case 'FAIL_AGENT_CONNECT':
          case 'FAIL_ERROR':
            return { ...complete(outcome), attempts };
          case 'NO_ANSWER':
          case 'BUSY':
            if (attempts >= settings.maxAttempts) {
              return { ...complete('FAIL_CALL_TO_CUSTOMER'), attempts };
            }
            return {
              state: 'SCHEDULED',
              attempts,
              desired_time: now + settings.retryDelaySeconds * 1000,
              lease_owner: null,
              lease_expires_at: null,
            };
        }
      },
      (row) => (row.state === 'COMPLETED' ? 'callback.completed' : 'callback.rescheduled'),
    );
  }
}
