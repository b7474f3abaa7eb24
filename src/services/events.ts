import type { CallbackRow } from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';
import type { WebhookService } from './webhooks.js';

/** Something that reacts to callback events after they are committed (push notifications). */
export interface CallbackEventListener {
  onCallbackEvent(tenantId: string, eventType: string, callback: CallbackRow): Promise<void>;
}

const BATCH = 200;

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

  /** Hands on every undispatched event; returns how many. */
  async dispatch(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const events = await this.store.db.transaction(async (trx) => {
        const claimed = await this.store.events.claimUndispatched(trx, now, BATCH);
        await this.webhooks.fanOut(trx, claimed, now);
        return claimed;
      });
      for (const event of events) {
        if (this.listeners.length === 0) break;
        const callback = await this.store.callbacks.get(event.tenant_id, event.callback_id);
        if (!callback) continue;
        for (const l of this.listeners)
          await l.onCallbackEvent(event.tenant_id, event.type, callback);
      }
      total += events.length;
      if (events.length < BATCH) return total;
    }
  }
}
