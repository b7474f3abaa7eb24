import { setImmediate } from 'node:timers/promises';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { EventRow } from '../store/repos/events.js';
import type { Store } from '../store/index.js';
import { batchSizeFor } from '../infra/batch-size.js';
import type { WebhookService } from './webhooks.js';

/** Something that reacts to callback events after they are committed (push notifications). */
export interface CallbackEventListener {
  onCallbackEvent(tenantId: string, eventType: string, callback: CallbackRow): Promise<void>;
}

// Events read and told to the listeners between two turns of the event loop (bench/README.md).
const LISTENER_TURN = 200;
// Each event comes back whole and brings its callback's row: a batch of 10 000 was ~20 MB of
// short-lived objects, and the collector's pauses stalled requests beside a purge.
const MAX_BATCH = 2_000;

/**
 * The outbox processor: takes committed events once (across nodes), queues their webhook
 * deliveries in the same transaction, then tells the listeners.
 */
export class EventDispatcher {
  private readonly listeners: CallbackEventListener[] = [];

  constructor(
    private readonly store: Store,
    private readonly webhooks: WebhookService,
  ) {}

  /** Adds a listener told of every event after it is handed on. */
  listen(listener: CallbackEventListener): void {
    this.listeners.push(listener);
  }

  /**
   * Hands on every undispatched event; returns how many. Batches are sized like a bulk change's
   * (BatchSize): after a purge a million events wait, and on PostgreSQL each pick walks the
   * pending index past the entries the batches before it left behind, so 200 at a time cost
   * more than the purge's own statements.
   */
  async dispatch(now: number): Promise<number> {
    const size = batchSizeFor(this.store.db.caps, MAX_BATCH);
    let total = 0;
    for (;;) {
      const limit = size.next;
      const started = performance.now();
      const events = await this.store.db.transaction(async (trx) => {
        const claimed = await this.store.events.claimUndispatched(limit, trx);
        await this.webhooks.fanOut(trx, claimed, now);
        return claimed;
      });
      if (this.listeners.length > 0) await this.tellListeners(events);
      // Telling the listeners reads the batch's callbacks: on SQLite that holds the event loop too.
      size.took(performance.now() - started, events.length, limit);
      total += events.length;
      if (events.length < limit) return total;
      // SQLite answers synchronously: without a turn of the event loop between batches, the
      // events of a long purge would hold every request until they are all handed on.
      await setImmediate();
    }
  }

  /**
   * Tells the listeners of each event with its callback as it is now, LISTENER_TURN events at a
   * time between two turns of the event loop: on SQLite reading the callbacks holds it, and
   * listeners with nothing to do answer at once without leaving the microtask queue, so a whole
   * batch read first and told in one go would hold requests for all of it.
   */
  private async tellListeners(events: readonly EventRow[]) {
    for (let from = 0; from < events.length; from += LISTENER_TURN) {
      if (from > 0) await setImmediate();
      const piece = events.slice(from, from + LISTENER_TURN);
      const callbacks = await this.callbacksOf(piece);
      for (const event of piece) {
        const callback = callbacks.get(event.callback_id);
        if (!callback) continue;
        for (const l of this.listeners)
          await l.onCallbackEvent(event.tenant_id, event.type, callback);
      }
    }
  }

  /** The callbacks of events, as they are now, by id. */
  private async callbacksOf(events: readonly EventRow[]) {
    const idsByTenant = new Map<string, Set<string>>();
    for (const e of events) {
      const ids = idsByTenant.get(e.tenant_id) ?? new Set();
      idsByTenant.set(e.tenant_id, ids.add(e.callback_id));
    }
    const callbacks = new Map<string, CallbackRow>();
    for (const [tenantId, ids] of idsByTenant) {
      for (const row of await this.store.callbacks.byIds(tenantId, [...ids])) {
        callbacks.set(row.id, row);
      }
    }
    return callbacks;
  }
}
