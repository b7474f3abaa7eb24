import crypto from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { OutboundHttp } from '../integrations/http-client.js';
import { backoffSeconds, deliverWebhook } from '../integrations/webhooks.js';
import type { Keyring } from '../security/secret-box.js';
import { newId } from '../security/tokens.js';
import type { Tx } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import { outboundRefusal } from './credentials.js';

const FEATURE = 'webhook';
const MAX_ATTEMPTS = 10;
const DELIVERY_TIMEOUT_MS = 5_000;
/** A claimed delivery is left alone this long by other nodes while one attempt runs. */
const ATTEMPT_LEASE_MS = 60_000;
const BATCH = 50;

/** The webhook envelope a subscriber receives. */
export interface WebhookEvent {
  id: number;
  tenant_id: string;
  type: string;
  payload: string;
  created_at: number;
}

function checkUrl(raw: string, http: OutboundHttp): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('INVALID_PARAMETER', `url "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('INVALID_PARAMETER', 'url must be http:// or https://');
  }
  const refusal = http.urlRefusal(url.toString());
  if (refusal !== undefined) throw outboundRefusal('url', raw, refusal);
  return url.toString();
}

/** Webhook subscriptions, their signed deliveries and retries. */
export class WebhookService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
    private readonly audit: AuditService,
    private readonly http: OutboundHttp,
  ) {}

  /** Subscribes a URL to event types (["*"] for all); the signing secret is shown once. */
  async subscribe(actor: Actor, rawUrl: string, events: string[] = ['*']) {
    const url = checkUrl(rawUrl, this.http);
    if (events.length === 0) throw new AppError('INVALID_PARAMETER', 'events must not be empty');
    const now = this.clock.now();
    const id = newId('whk', now);
    const secret = `whsec_${crypto.randomBytes(24).toString('base64url')}`;
    await this.store.events.insertWebhook({
      id,
      tenant_id: actor.tenantId,
      url,
      secret: this.keyring.seal(secret, { tenantId: actor.tenantId, feature: FEATURE }),
      events: JSON.stringify(events),
      created_at: now,
    });
    await this.audit.record(actor, 'webhook.create', id, undefined, { url, events });
    return { id, url, events, secret, createdAt: new Date(now).toISOString() };
  }

  /** Re-wraps every signing secret still wrapped with a previous master key; returns how many. */
  async rewrapAll(): Promise<number> {
    let rewrapped = 0;
    for (const row of await this.store.events.webhookSecrets()) {
      if (!this.keyring.needsRewrap(row.secret)) continue;
      if (await this.store.events.rewrappedWebhook(row, this.keyring.rewrap(row.secret))) {
        rewrapped++;
      }
    }
    return rewrapped;
  }

  /** A tenant's subscriptions, without secrets. */
  async list(tenantId: string) {
    const rows = await this.store.events.listWebhooks(tenantId);
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      events: JSON.parse(r.events) as string[],
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** Removes a subscription. */
  async remove(actor: Actor, id: string): Promise<void> {
    if (!(await this.store.events.deleteWebhook(actor.tenantId, id))) {
      throw new AppError('NOT_FOUND', `No webhook ${id}`);
    }
    await this.audit.record(actor, 'webhook.delete', id);
  }

  /** A subscription's delivery log, newest first. */
  async deliveries(tenantId: string, webhookId: string, limit: number) {
    if (!(await this.store.events.getWebhook(tenantId, webhookId))) {
      throw new AppError('NOT_FOUND', `No webhook ${webhookId}`);
    }
    const rows = await this.store.events.listDeliveries(tenantId, webhookId, limit);
    return rows.map((r) => ({
      id: r.id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      lastStatus: r.last_status,
      lastError: r.last_error,
      createdAt: new Date(r.created_at).toISOString(),
      deliveredAt: r.delivered_at === null ? null : new Date(r.delivered_at).toISOString(),
    }));
  }

  /** Queues a delivery of each event to each matching subscription, in the caller's transaction. */
  async fanOut(trx: Tx, events: readonly WebhookEvent[], now: number): Promise<void> {
    const byTenant = new Map<string, Awaited<ReturnType<Store['events']['listWebhooks']>>>();
    const rows = [];
    for (const event of events) {
      let hooks = byTenant.get(event.tenant_id);
      if (!hooks) {
        hooks = await this.store.events.listWebhooks(event.tenant_id, trx);
        byTenant.set(event.tenant_id, hooks);
      }
      for (const hook of hooks) {
        const wanted = JSON.parse(hook.events) as string[];
        if (!wanted.includes('*') && !wanted.includes(event.type)) continue;
        rows.push({
          id: newId('dlv', now),
          tenant_id: event.tenant_id,
          webhook_id: hook.id,
          event_id: event.id,
          event_type: event.type,
          payload: JSON.stringify({
            id: `evt_${event.id}`,
            type: event.type,
            createdAt: new Date(event.created_at).toISOString(),
            tenantId: event.tenant_id,
            data: JSON.parse(event.payload) as unknown,
          }),
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          last_status: null,
          last_error: null,
          created_at: now,
          delivered_at: null,
        });
      }
    }
    await this.store.events.insertDeliveries(trx, rows);
  }

  /** Makes one attempt at every due delivery; failures retry with backoff, then give up. */
  async deliverDue(now: number): Promise<number> {
    const due = await this.store.db.transaction((trx) =>
      this.store.events.claimDueDeliveries(now, ATTEMPT_LEASE_MS, BATCH, trx),
    );
    await Promise.all(
      due.map(async (d) => {
        const hook = await this.store.events.getWebhook(d.tenant_id, d.webhook_id);
        if (!hook) {
          await this.store.events.updateDelivery(d.id, {
            status: 'failed',
            last_error: 'subscription removed',
          });
          return;
        }
        const secret = this.keyring.open(hook.secret, { tenantId: d.tenant_id, feature: FEATURE });
        const result = await deliverWebhook(
          this.http,
          hook.url,
          secret,
          d.event_type,
          d.payload,
          DELIVERY_TIMEOUT_MS,
          {
            deliveryId: d.id,
            nowMs: now,
          },
        );
        const attempts = d.attempts + 1;
        const giveUp = !result.retryable || attempts >= MAX_ATTEMPTS;
        await this.store.events.updateDelivery(d.id, {
          attempts,
          last_status: result.status ?? null,
          last_error: result.ok ? null : (result.error ?? `HTTP ${result.status ?? '?'}`),
          ...(result.ok
            ? { status: 'delivered', delivered_at: now }
            : giveUp
              ? { status: 'failed' }
              : { next_attempt_at: now + backoffSeconds(attempts) * 1000 }),
        });
      }),
    );
    return due.length;
  }
}
