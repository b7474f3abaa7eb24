/**
 * Webhook signing, verification and a single delivery attempt. Retrying and recording attempts is
 * the job's business; this module only says whether a retry makes sense and when.
 *
 * Signature header: `x-opencallback-signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<body>")>`.
 * The timestamp is signed too, so a captured request cannot be replayed later than the
 * receiver's tolerance.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { OutboundHttp } from './http-client.js';

export const WEBHOOK_SIGNATURE_HEADER = 'x-opencallback-signature';
export const WEBHOOK_EVENT_HEADER = 'x-opencallback-event';
export const WEBHOOK_DELIVERY_HEADER = 'x-opencallback-delivery';
export const WEBHOOK_BACKOFF_BASE_SECONDS = 30;
export const WEBHOOK_BACKOFF_CAP_SECONDS = 6 * 3600;

export interface WebhookDeliveryResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
  /** Whether another attempt later could succeed (network errors, 408, 429, 5xx). */
  readonly retryable: boolean;
  readonly deliveryId: string;
}

export interface WebhookDeliveryOptions {
  /** Reuse the id across retries so receivers can de-duplicate; default a new UUID. */
  readonly deliveryId?: string;
  /** Injectable clock in ms for the signature timestamp. */
  readonly nowMs?: number;
}

export type WebhookVerification =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'expired' | 'mismatch' };

/** The hex HMAC-SHA256 of "<t>.<body>". */
export function computeWebhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The full signature header value for a body sent at `nowMs`. */
export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${computeWebhookSignature(secret, t, body)}`;
}

/** Make one delivery attempt; never throws. */
export async function deliverWebhook(
  http: OutboundHttp,
  url: string,
  secret: string,
  event: string,
  body: string,
  timeoutMs: number,
  options: WebhookDeliveryOptions = {},
): Promise<WebhookDeliveryResult> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const result = await http.postRaw(url, body, 'application/json', {
    timeoutMs,
    headers: {
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, options.nowMs ?? Date.now()),
      [WEBHOOK_EVENT_HEADER]: event,
      [WEBHOOK_DELIVERY_HEADER]: deliveryId,
      'user-agent': 'OpenCallback-Webhooks/1',
    },
  });
  if (result.kind === 'network-error') {
    // A destination the address policy refuses stays refused: do not retry it.
    return { ok: false, error: result.message, retryable: result.refused !== true, deliveryId };
  }
  const { status } = result;
  if (status >= 200 && status < 300) return { ok: true, status, retryable: false, deliveryId };
  // Redirects are not followed (a signed POST should not wander) and count as misconfiguration.
  return {
    ok: false,
    status,
    error: `receiver answered HTTP ${status}`,
    retryable: status === 408 || status === 429 || status >= 500,
    deliveryId,
  };
}

/**
 * Check a signature header against the raw body. Accepts several v1 values (a sender rotating
 * its secret may sign with both) and rejects timestamps further than the tolerance from now.
 */
export function verifyWebhookSignature(
  header: string | undefined,
  body: string,
  secret: string,
  toleranceSeconds: number,
  nowMs: number,
): WebhookVerification {
  if (header === undefined) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && value !== undefined && /^\d+$/.test(value)) timestamp = Number(value);
    if (name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
      signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds)
    return { ok: false, reason: 'expired' };
  const expected = Buffer.from(computeWebhookSignature(secret, timestamp, body), 'hex');
  const matches = signatures.some((candidate) =>
    timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}

/** Seconds to wait before retry number `attempt` (1-based): 30 s doubling, capped at 6 hours. */
export function backoffSeconds(attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // Cap the exponent first so large attempt numbers cannot overflow to Infinity.
  return Math.min(
    WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** Math.min(exponent, 30),
    WEBHOOK_BACKOFF_CAP_SECONDS,
  );
}
