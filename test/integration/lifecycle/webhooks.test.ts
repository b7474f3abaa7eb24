import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../src/integrations/webhooks.js';
import { Keyring, generateMasterKey } from '../../../src/security/secret-box.js';
import { WebhookService } from '../../../src/services/webhooks.js';
import { testHttp } from '../../fakes/outbound.js';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestTenant } from '../../helpers/app.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhook-receiver.js';

describeEngines('webhooks: every state change arrives signed, retried on failure', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let tenant: TestTenant;
  let receiver: WebhookReceiver;
  let secret = '';
  let hookId = '';
  const masterKey = generateMasterKey();

  beforeAll(async () => {
    t = await startTestApp(engine, { env: { MASTER_KEY: masterKey } });
    tenant = await t.tenant('acme');
    receiver = await startWebhookReceiver();
    await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: tenant.cookies.Administrator },
      payload: { name: 'support' },
    });
    const sub = await t.call<{ id: string; secret: string }>({
      method: 'POST',
      url: '/admin/v1/webhooks',
      headers: { cookie: tenant.cookies.Developer },
      payload: { url: receiver.url },
    });
    expect(sub.body.status.code).toBe(0);
    secret = sub.body.data.secret;
    hookId = sub.body.data.id;
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
    await t.dropDatabase();
  });

  const runJobs = async () => {
    await t.services.eventDispatcher.dispatch(t.clock.now());
    await t.services.webhooks.deliverDue(t.clock.now());
  };

  it('shows the signing secret once, never in the list, and seals it at rest', async () => {
    expect(secret).toMatch(/^whsec_/);
    const list = await t.call<{ items: Record<string, unknown>[] }>({
      method: 'GET',
      url: '/admin/v1/webhooks',
      headers: { cookie: tenant.cookies.Administrator },
    });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const row = await t.services.store.db.kysely
      .selectFrom('webhooks')
      .select('secret')
      .where('id', '=', hookId)
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(secret);
  });

  it('delivers created, routing, processing and completed events, each verifiably signed', async () => {
    const created = await t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': tenant.keys.engagement },
      payload: { serviceName: 'support', phoneNumber: '+12125550100' },
    });
    const id = created.body.data.id;
    const dialer = { 'x-api-key': tenant.keys.dispatch };
    await t.call({
      method: 'POST',
      url: '/dispatch/v1/claim',
      headers: dialer,
      payload: { serviceNames: ['support'] },
    });
    await t.call({ method: 'POST', url: `/dispatch/v1/callbacks/${id}/start`, headers: dialer });
    await t.call({
      method: 'POST',
      url: `/dispatch/v1/callbacks/${id}/finish`,
      headers: dialer,
      payload: { outcome: 'AGENT_CONNECTED' },
    });
    await runJobs();

    // Deliveries run in parallel, so arrival order is not event order: the event id is.
    const eventNumber = (body: string) => Number((JSON.parse(body) as { id: string }).id.slice(4));
    const inOrder = [...receiver.deliveries].sort(
      (x, y) => eventNumber(x.body) - eventNumber(y.body),
    );
    const types = inOrder.map((d) => d.headers['x-opencallback-event']);
    // Every booking is announced as created first, then its state events.
    expect(types).toEqual([
      'callback.created',
      'callback.queued',
      'callback.routing',
      'callback.processing',
      'callback.completed',
    ]);
    for (const d of receiver.deliveries) {
      const signature = String(d.headers['x-opencallback-signature']);
      expect(verifyWebhookSignature(signature, d.body, secret, 300, t.clock.now()).ok).toBe(true);
      expect(verifyWebhookSignature(signature, d.body, 'whsec_wrong', 300, t.clock.now()).ok).toBe(
        false,
      );
      const event = JSON.parse(d.body) as { data: { id: string; state: string } };
      expect(event.data.id).toBe(id);
    }
    const last = JSON.parse(inOrder.at(-1)?.body ?? '{}') as {
      data: { reason: string };
    };
    expect(last.data.reason).toBe('AGENT_CONNECTED');
    // Handed on once: running the jobs again sends nothing new.
    await runJobs();
    expect(receiver.deliveries).toHaveLength(5);
  });

  it('retries a failing receiver with backoff and records each attempt', async () => {
    receiver.deliveries.length = 0;
    receiver.respondWith(503, 500);
    await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': tenant.keys.engagement },
      // Scheduled for tomorrow: one event (created), so one delivery to follow through retries.
      payload: {
        serviceName: 'support',
        phoneNumber: '+12125550101',
        desiredTime: new Date(t.clock.now() + 86_400_000).toISOString(),
      },
    });
    await runJobs();
    expect(receiver.deliveries).toHaveLength(1);
    await runJobs();
    expect(receiver.deliveries).toHaveLength(1); // not due yet: backing off
    t.clock.advance(31_000);
    await runJobs();
    expect(receiver.deliveries).toHaveLength(2);
    t.clock.advance(61_000);
    await runJobs();
    expect(receiver.deliveries).toHaveLength(3);
    const log = await t.call<{ items: { status: string; attempts: number; lastStatus: number }[] }>(
      {
        method: 'GET',
        url: `/admin/v1/webhooks/${hookId}/deliveries`,
        headers: { cookie: tenant.cookies.Administrator },
      },
    );
    expect(log.body.data.items[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatus: 200,
    });
    // The same delivery id on every attempt lets the receiver de-duplicate.
    const ids = new Set(receiver.deliveries.map((d) => d.headers['x-opencallback-delivery']));
    expect(ids.size).toBe(1);
  });

  it('a master-key rotation re-wraps signing secrets, so the old key can be retired', async () => {
    const newKey = generateMasterKey();
    const withKeys = (keyring: Keyring) =>
      new WebhookService(t.services.store, t.clock, keyring, t.services.audit, testHttp);
    const rotated = withKeys(new Keyring(newKey, [masterKey]));
    expect(await rotated.rewrapAll()).toBe(1);
    expect(await rotated.rewrapAll()).toBe(0);
    // With the old key gone, deliveries are still signed with the secret the receiver holds.
    receiver.deliveries.length = 0;
    const onlyNew = withKeys(new Keyring(newKey));
    await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': tenant.keys.engagement },
      payload: { serviceName: 'support', phoneNumber: '+12125550103' },
    });
    await t.services.eventDispatcher.dispatch(t.clock.now());
    await onlyNew.deliverDue(t.clock.now());
    expect(receiver.deliveries.length).toBeGreaterThan(0);
    for (const d of receiver.deliveries) {
      const signature = String(d.headers['x-opencallback-signature']);
      expect(verifyWebhookSignature(signature, d.body, secret, 300, t.clock.now()).ok).toBe(true);
    }
  });
});
