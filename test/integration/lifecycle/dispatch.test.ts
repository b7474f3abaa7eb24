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
  /** A claim of the dialer (one callback, or up to `maxCallbacks`); the envelope. */
  const claim = async ({ headers = dialer(), maxCallbacks = 1 } = {}) =>
    (
      await t.call<Claimed & { callbacks: { id: string }[] }>({
        method: 'POST',
        url: '/dispatch/v1/claim',
        headers,
        payload: { serviceNames: [serviceName], leaseSeconds: 60, maxCallbacks },
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

  interface BatchAnswer {
    results: {
      id: string;
      callback?: { callbackState: string; attempts: number };
      error?: { code: number };
    }[];
  }
  const batch = (path: 'start' | 'finish', payload: object, headers = dialer()) =>
    t.call<BatchAnswer>({ method: 'POST', url: `/dispatch/v1/${path}`, headers, payload });
  const claimMany = async (maxCallbacks: number) => (await claim({ maxCallbacks })).data;

  it('a dialer fills its free lines with one claim, in dialing order', async () => {
    const first = await book('+12125550151');
    t.clock.advance(1000);
    const second = await book('+12125550152');
    t.clock.advance(1000);
    const third = await book('+12125550153');
    t.clock.advance(1000);
    const urgent = await book('+12125550154', { priority: 5 });

    const lines = await claimMany(3);
    expect(lines.callbacks.map((c) => c.id)).toEqual([urgent, first, second]);
    expect(lines.callback?.id).toBe(urgent);
    for (const id of [urgent, first, second])
      expect((await retrieve(id)).callbackState).toBe('ROUTING');
    // Fewer waiting than free lines: the dialer gets what there is, then nothing.
    expect((await claimMany(3)).callbacks.map((c) => c.id)).toEqual([third]);
    expect(await claimMany(3)).toEqual({ callback: null, callbacks: [] });
    // Hang the lines up, leaving no lease behind for the other tests.
    await batch('finish', {
      results: [urgent, first, second, third].map((id) => ({ id, outcome: 'AGENT_CONNECTED' })),
    });
  });

  it('batch start and finish answer each callback on its own, in the order asked', async () => {
    const ids = [
      await book('+12125550161'),
      await book('+12125550162'),
      await book('+12125550163'),
    ];
    const [a, b, c] = ids as [string, string, string];
    const notHeld = await book('+12125550164');
    await claimMany(3);

    const started = await batch('start', { ids: [a, 'cb_missing', b, notHeld, c] });
    expect(started.res.statusCode).toBe(200);
    expect(
      started.body.data.results.map((r) => [r.id, r.callback?.callbackState ?? r.error?.code]),
    ).toEqual([
      [a, 'PROCESSING'],
      ['cb_missing', 40401],
      [b, 'PROCESSING'],
      [notHeld, 40902],
      [c, 'PROCESSING'],
    ]);
    expect((await retrieve(notHeld)).callbackState).toBe('QUEUED');

    const finished = await batch('finish', {
      results: [
        { id: a, outcome: 'AGENT_CONNECTED' },
        { id: b, outcome: 'NO_ANSWER' },
        { id: c, outcome: 'FAIL_ERROR' },
      ],
    });
    expect(finished.body.data.results.map((r) => r.callback)).toMatchObject([
      { callbackState: 'COMPLETED', attempts: 1 },
      { callbackState: 'SCHEDULED', attempts: 1 },
      { callbackState: 'COMPLETED', attempts: 1 },
    ]);
    expect((await retrieve(a)).callbackReason).toBe('AGENT_CONNECTED');
    expect((await retrieve(c)).callbackReason).toBe('FAIL_ERROR');
    // Every change left its event, as a single-callback change does.
    const history = await t.services.store.callbacks.history(tenant.id, b);
    expect(history.map((e) => e.type)).toEqual([
      'callback.created',
      'callback.queued',
      'callback.routing',
      'callback.processing',
      'callback.rescheduled',
    ]);
    // Finished is finished: a second report is a state conflict, and changes nothing.
    const again = await batch('finish', { results: [{ id: a, outcome: 'NO_ANSWER' }] });
    expect(again.body.data.results[0]?.error?.code).toBe(40902);
    expect((await retrieve(a)).callbackReason).toBe('AGENT_CONNECTED');
    // The retry would be due during the other tests: withdraw it.
    await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/cancel',
      headers: engagement(),
      payload: { id: b },
    });
  });

  it("one finish batch across queues follows each callback's own queue settings", async () => {
    // A second queue that gives up after one attempt and retries after a minute.
    const strict = `${serviceName}s`;
    const actor = { tenantId: tenant.id, name: 'test' };
    await t.services.queues.create(actor, {
      name: strict,
      maxAttempts: 1,
      retryDelaySeconds: 60,
      duplicateCheck: 'off',
    });
    const bookIn = async (queue: string, phone: string) => {
      const { body } = await t.call<{ id: string }>({
        method: 'POST',
        url: '/engagement/v3/callbacks/create',
        headers: engagement(),
        payload: { serviceName: queue, phoneNumber: phone },
      });
      expect(body.status.code, body.status.message).toBe(0);
      return body.data.id;
    };
    const lenient = [
      await bookIn(serviceName, '+12125550191'),
      await bookIn(serviceName, '+12125550192'),
    ];
    const last = [await bookIn(strict, '+12125550193'), await bookIn(strict, '+12125550194')];
    const ids = [...lenient, ...last];
    const { dispatch } = t.services;
    const dialerId = tenant.keyIds.dispatch;
    const claimed = await dispatch.claimMany(tenant.id, [serviceName, strict], dialerId, 60, 0, 10);
    expect(new Set(claimed.map((r) => r.id))).toEqual(new Set(ids));
    // Milliseconds in the clock: the retry time keeps them.
    t.clock.advance(1_234);
    const now = t.clock.now();
    const outcomes = ['BUSY', 'FAIL_AGENT_CONNECT', 'BUSY', 'NO_ANSWER'] as const;
    const results = await dispatch.finishMany(
      tenant.id,
      ids.map((id, i) => ({ id, outcome: outcomes[i] ?? 'BUSY' })),
      dialerId,
    );
    // Completing keeps the desired time; the retry is due retryDelaySeconds from now.
    const desired = new Map(claimed.map((r) => [r.id, r.desired_time]));
    expect(
      [...results].map(([id, r]) =>
        r instanceof Error
          ? r.message
          : [
              r.state,
              r.reason,
              r.attempts,
              r.desired_time === desired.get(id) ? 'kept' : r.desired_time - now,
            ],
      ),
    ).toEqual([
      ['SCHEDULED', null, 1, 300_000],
      ['COMPLETED', 'FAIL_AGENT_CONNECT', 1, 'kept'],
      ['COMPLETED', 'FAIL_CALL_TO_CUSTOMER', 1, 'kept'],
      ['COMPLETED', 'FAIL_CALL_TO_CUSTOMER', 1, 'kept'],
    ]);
    const history = await t.services.store.callbacks.history(tenant.id, ids[0] ?? '');
    expect(history.map((e) => e.type).at(-1)).toBe('callback.rescheduled');
    for (const id of ids.slice(1)) {
      const events = await t.services.store.callbacks.history(tenant.id, id);
      expect(events.map((e) => e.type).at(-1)).toBe('callback.completed');
    }
    // The retry would be due during the other tests: withdraw it.
    await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/cancel',
      headers: engagement(),
      payload: { id: ids[0] },
    });
  });

  it('a malformed batch is refused whole, changing nothing', async () => {
    const id = await book('+12125550171');
    await claimMany(1);
    const twice = await batch('start', { ids: [id, id] });
    expect(twice.res.statusCode).toBe(400);
    expect(twice.body.status.code).toBe(40001);
    const badOutcome = await batch('finish', {
      results: [
        { id, outcome: 'AGENT_CONNECTED' },
        { id, outcome: 'HUNG_UP' },
      ],
    });
    expect(badOutcome.res.statusCode).toBe(400);
    const tooMany = await t.call({
      method: 'POST',
      url: '/dispatch/v1/claim',
      headers: dialer(),
      payload: { serviceNames: [serviceName], maxCallbacks: 101 },
    });
    expect(tooMany.res.statusCode).toBe(400);
    expect(tooMany.body.status.code).toBe(40001);
    expect((await retrieve(id)).callbackState).toBe('ROUTING');
    expect(await batch('start', { ids: [] })).toMatchObject({ res: { statusCode: 400 } });
    await act(id, 'release');
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
      'callback.created',
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
    expect((await claim({ headers: { 'x-api-key': other.key } })).data.callback?.id).toBe(id);
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
