import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestTenant } from '../../helpers/app.js';

interface Claimed {
  callback: { id: string; phoneNumber: string; attempts: number; callbackState: string } | null;
}

describeEngines('dispatch: a booked callback reaches a person', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let tenant: TestTenant;
  let queue = 0;
  let serviceName = '';

  beforeAll(async () => {
    t = await startTestApp(engine);
    tenant = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  // Each test gets its own 24/7 queue: retries after 5 minutes, three attempts.
  beforeEach(async () => {
    serviceName = `q${++queue}`;
    t.clock.set('2026-11-25T15:00:00Z');
    const { res } = await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: tenant.cookies.Administrator },
      payload: { name: serviceName, maxAttempts: 3, retryDelaySeconds: 300, duplicateCheck: 'off' },
    });
    expect(res.statusCode).toBe(200);
  });

  const engagement = () => ({ 'x-api-key': tenant.keys.engagement });
  const dialer = () => ({ 'x-api-key': tenant.keys.dispatch });

  async function book(phone: string, extra: Record<string, unknown> = {}) {
    const { body } = await t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: engagement(),
      payload: { serviceName, phoneNumber: phone, ...extra },
    });
    expect(body.status.code, body.status.message).toBe(0);
    return body.data.id;
  }
  const claim = async (headers = dialer()) =>
    (
      await t.call<Claimed>({
        method: 'POST',
        url: '/dispatch/v1/claim',
        headers,
        payload: { serviceNames: [serviceName], leaseSeconds: 60 },
      })
    ).body;
  const act = (id: string, action: string, payload: object = {}, headers = dialer()) =>
    t.call<{ callbackState: string; callbackReason?: string; attempts: number }>({
      method: 'POST',
      url: `/dispatch/v1/callbacks/${id}/${action}`,
      headers,
      payload,
    });
  const retrieve = async (id: string) =>
    (
      await t.call<{ callbackState: string; callbackReason?: string; positionInQueue?: number }>({
        method: 'POST',
        url: '/engagement/v3/callbacks/retrieve',
        headers: engagement(),
        payload: { id },
      })
    ).body.data;

  it('claims by priority, then by the time the customer first asked', async () => {
    const first = await book('+12125550101');
    t.clock.advance(1000);
    const second = await book('+12125550102');
    t.clock.advance(1000);
    const urgent = await book('+12125550103', { priority: 5 });
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await claim()).data.callback?.id);
    expect(order).toEqual([urgent, first, second]);
    expect((await claim()).data.callback).toBeNull();
  });

  it('no answer twice then connected: the retry keeps its place and completes AGENT_CONNECTED', async () => {
    const id = await book('+12125550111');
    t.clock.advance(1000);
    const later = await book('+12125550112');

    let got = await claim();
    expect(got.data.callback?.id).toBe(id);
    expect((await act(id, 'start')).body.data.callbackState).toBe('PROCESSING');
    const noAnswer = await act(id, 'finish', { outcome: 'NO_ANSWER' });
    expect(noAnswer.body.data.callbackState).toBe('SCHEDULED');
    expect(noAnswer.body.data.attempts).toBe(1);
    // The later booking is now first in line; release it untouched.
    got = await claim();
    expect(got.data.callback?.id).toBe(later);
    await act(later, 'release');

    // Not due before retryDelaySeconds…
    t.clock.advance(299_000);
    await t.services.lifecycle.promoteDue(t.clock.now());
    expect((await retrieve(id)).callbackState).toBe('SCHEDULED');
    // …then queued again, ahead of the later booking because it asked first.
    t.clock.advance(2_000);
    expect(await t.services.lifecycle.promoteDue(t.clock.now())).toBe(1);
    expect((await retrieve(id)).positionInQueue).toBe(1);
    expect((await retrieve(later)).positionInQueue).toBe(2);
    expect((await claim()).data.callback?.id).toBe(id);
    await act(id, 'finish', { outcome: 'BUSY' });
    t.clock.advance(301_000);
    await t.services.lifecycle.promoteDue(t.clock.now());
    expect((await claim()).data.callback?.id).toBe(id);
    await act(id, 'start');
    const done = await act(id, 'finish', { outcome: 'AGENT_CONNECTED' });
    expect(done.body.data).toMatchObject({
      callbackState: 'COMPLETED',
      callbackReason: 'AGENT_CONNECTED',
      attempts: 3,
    });
    const history = await t.services.store.callbacks.history(tenant.id, id);
    expect(history.map((e) => e.type)).toEqual([
      'callback.queued',
      'callback.routing',
      'callback.processing',
      'callback.rescheduled',
      'callback.queued',
      'callback.routing',
      'callback.rescheduled',
      'callback.queued',
      'callback.routing',
      'callback.processing',
      'callback.completed',
    ]);
  });

  it('after maxAttempts of no answer it completes FAIL_CALL_TO_CUSTOMER', async () => {
    const id = await book('+12125550121');
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await claim()).data.callback?.id).toBe(id);
      const { body } = await act(id, 'finish', { outcome: 'NO_ANSWER' });
      if (attempt < 3) {
        expect(body.data.callbackState).toBe('SCHEDULED');
        t.clock.advance(300_000);
        await t.services.lifecycle.promoteDue(t.clock.now());
      } else {
        expect(body.data).toMatchObject({
          callbackState: 'COMPLETED',
          callbackReason: 'FAIL_CALL_TO_CUSTOMER',
        });
      }
    }
  });

  it('a PROCESSING callback cannot be cancelled (40902); a ROUTING one can', async () => {
    const busy = await book('+12125550131');
    await claim();
    await act(busy, 'start');
    const refused = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/cancel',
      headers: engagement(),
      payload: { id: busy },
    });
    expect(refused.res.statusCode).toBe(409);
    expect(refused.body.status.code).toBe(40902);
    const routing = await book('+12125550132');
    await claim();
    const ok = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/cancel',
      headers: engagement(),
      payload: { id: routing },
    });
    expect(ok.body.status.code).toBe(0);
    expect((await retrieve(routing)).callbackReason).toBe('CANCELLED');
  });

  it('an expired lease returns the callback to QUEUED; only the holder may act on a claim', async () => {
    const id = await book('+12125550141');
    expect((await claim()).data.callback?.id).toBe(id);
    const other = await t.services.access.createApiKey(
      { tenantId: tenant.id, name: 'test' },
      'dispatch',
    );
    const stolen = await act(id, 'start', {}, { 'x-api-key': other.key });
    expect(stolen.body.status.code).toBe(40902);
    t.clock.advance(61_000);
    expect(await t.services.lifecycle.recoverLeases(t.clock.now())).toBe(1);
    expect((await retrieve(id)).callbackState).toBe('QUEUED');
    expect((await claim({ 'x-api-key': other.key })).data.callback?.id).toBe(id);
  });

  it('each waiting callback is told the wait of the callbacks ahead of it', async () => {
    // Throughput: one connected call every two minutes.
    for (let i = 0; i < 3; i++) {
      const id = await book(`+1212555017${i}`);
      await claim();
      t.clock.advance(120_000);
      await act(id, 'finish', { outcome: 'AGENT_CONNECTED' });
    }
    const waiting = [];
    for (let i = 0; i < 3; i++) waiting.push(await book(`+1212555018${i}`));
    const seen = [];
    for (const id of waiting) {
      const r = await t.call<{ positionInQueue: number; estimatedWaitTime: number }>({
        method: 'POST',
        url: '/engagement/v3/callbacks/retrieve',
        headers: engagement(),
        payload: { id },
      });
      seen.push([r.body.data.positionInQueue, r.body.data.estimatedWaitTime]);
    }
    expect(seen).toEqual([
      [1, 0],
      [2, 120],
      [3, 240],
    ]);
    const status = await t.call<{ ewt: number }>({
      method: 'GET',
      url: `/engagement/v3/callbacks/queue-status/${serviceName}`,
      headers: engagement(),
    });
    expect(status.body.data.ewt).toBe(360); // a newcomer waits behind all three
  });

  it('agents reported by the dialer drive EWT mode2 in queue-status', async () => {
    const status = async () =>
      (
        await t.call<{ ewt: number }>({
          method: 'GET',
          url: `/engagement/v3/callbacks/queue-status/${serviceName}`,
          headers: engagement(),
        })
      ).body.data.ewt;
    expect(await status()).toBe(-1);
    // Three calls finished a minute apart give the queue a throughput.
    for (let i = 0; i < 3; i++) {
      const id = await book(`+1212555015${i}`);
      await claim();
      t.clock.advance(60_000);
      await act(id, 'finish', { outcome: 'AGENT_CONNECTED' });
    }
    for (let i = 0; i < 4; i++) await book(`+1212555016${i}`);
    const report = await t.call({
      method: 'POST',
      url: '/dispatch/v1/agents',
      headers: dialer(),
      payload: { serviceName, loggedIn: 1, available: 0 },
    });
    expect(report.body.status.code).toBe(0);
    const ewt = await status();
    expect(ewt).toBeGreaterThan(0);
    const invalid = await t.call({
      method: 'POST',
      url: '/dispatch/v1/agents',
      headers: dialer(),
      payload: { serviceName, loggedIn: 1, available: 3 },
    });
    expect(invalid.body.status.code).toBe(40001);
  });
});
