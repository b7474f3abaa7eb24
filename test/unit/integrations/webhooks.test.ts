import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffSeconds,
  deliverWebhook,
  signWebhook,
  verifyWebhookSignature,
} from '../../../src/integrations/webhooks.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhook-receiver.js';
import { testHttp } from '../../fakes/outbound.js';

const SECRET = 'whsec_test';
const body = JSON.stringify({ event: 'CALLBACK_COMPLETED', data: { id: 'cb_1' } });

describe('webhook delivery', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('delivers a signed body the receiver can verify', async () => {
    const result = await deliverWebhook(
      testHttp,
      receiver.url,
      SECRET,
      'CALLBACK_COMPLETED',
      body,
      2000,
      {
        deliveryId: 'whd_1',
      },
    );
    expect(result).toEqual({ ok: true, status: 200, retryable: false, deliveryId: 'whd_1' });
    const delivery = receiver.deliveries[0];
    expect(delivery?.body).toBe(body);
    expect(delivery?.headers['x-opencallback-event']).toBe('CALLBACK_COMPLETED');
    expect(delivery?.headers['x-opencallback-delivery']).toBe('whd_1');
    expect(delivery?.headers['content-type']).toBe('application/json');
    const header = String(delivery?.headers['x-opencallback-signature']);
    expect(verifyWebhookSignature(header, body, SECRET, 300, Date.now())).toMatchObject({
      ok: true,
    });
  });

  it('marks 5xx, 429 and timeouts retryable but other 4xx final', async () => {
    receiver.respondWith(503, 429, 404, 410);
    const send = (): ReturnType<typeof deliverWebhook> =>
      deliverWebhook(testHttp, receiver.url, SECRET, 'E', body, 2000);
    expect(await send()).toMatchObject({ ok: false, status: 503, retryable: true });
    expect(await send()).toMatchObject({ ok: false, status: 429, retryable: true });
    expect(await send()).toMatchObject({ ok: false, status: 404, retryable: false });
    expect(await send()).toMatchObject({ ok: false, status: 410, retryable: false });

    receiver.setDelayMs(500);
    const slow = await deliverWebhook(testHttp, receiver.url, SECRET, 'E', body, 100);
    expect(slow).toMatchObject({ ok: false, retryable: true, error: 'no answer within 100 ms' });
  });

  it('reports an unreachable receiver as retryable', async () => {
    await receiver.close();
    const result = await deliverWebhook(testHttp, receiver.url, SECRET, 'E', body, 1000);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toBeTruthy();
    expect(result.status).toBeUndefined();
  });
});

describe('webhook signature verification', () => {
  const nowMs = 1_750_000_000_000;
  const header = signWebhook(SECRET, body, nowMs);

  it('accepts the genuine signature within the tolerance', () => {
    expect(header).toMatch(/^t=1750000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(header, body, SECRET, 300, nowMs + 299_000)).toEqual({
      ok: true,
      timestamp: 1_750_000_000,
    });
  });

  it('rejects a changed body, a wrong secret, a replay and garbage', () => {
    expect(verifyWebhookSignature(header, `${body} `, SECRET, 300, nowMs)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(header, body, 'other', 300, nowMs)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(header, body, SECRET, 300, nowMs + 301_000)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyWebhookSignature('v1=abc', body, SECRET, 300, nowMs)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyWebhookSignature(undefined, body, SECRET, 300, nowMs)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const oldSig = signWebhook('old-secret', body, nowMs).split(',')[1] ?? '';
    const both = `${header},${oldSig}`;
    expect(verifyWebhookSignature(both, body, 'old-secret', 300, nowMs)).toMatchObject({
      ok: true,
    });
    expect(verifyWebhookSignature(both, body, SECRET, 300, nowMs)).toMatchObject({ ok: true });
  });
});

describe('webhook retry backoff', () => {
  it('doubles from 30 seconds and stops growing at 6 hours', () => {
    expect([1, 2, 3, 4, 5].map(backoffSeconds)).toEqual([30, 60, 120, 240, 480]);
    expect(backoffSeconds(10)).toBe(15_360);
    expect(backoffSeconds(11)).toBe(21_600);
    expect(backoffSeconds(1000)).toBe(21_600);
    expect(backoffSeconds(0)).toBe(30);
  });
});
