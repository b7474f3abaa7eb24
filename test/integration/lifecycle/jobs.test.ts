import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestTenant } from '../../helpers/app.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const NINE_TO_FIVE = { weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, [['09:00', '17:00']]])) };

describeEngines('scheduler jobs and admin lifecycle actions', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let tenant: TestTenant;
  let n = 0;
  let queue = '';

  beforeAll(async () => {
    t = await startTestApp(engine);
    tenant = await t.tenant('acme', { timezone: 'America/New_York' });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const admin = () => ({ cookie: tenant.cookies.Administrator });
  async function makeQueue(settings: Record<string, unknown>) {
    queue = `q${++n}`;
    const { body } = await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: admin(),
      payload: { name: queue, duplicateCheck: 'off', throttlePerNumberPerDay: 0, ...settings },
    });
    expect(body.status.code, body.status.message).toBe(0);
  }
  async function book(phone: string, desiredTime?: string) {
    const { body } = await t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': tenant.keys.engagement },
      payload: { serviceName: queue, phoneNumber: phone, ...(desiredTime ? { desiredTime } : {}) },
    });
    expect(body.status.code, body.status.message).toBe(0);
    return body.data.id;
  }
  const stateOf = async (id: string) => {
    const row = await t.services.store.callbacks.get(tenant.id, id);
    return `${row?.state}${row?.reason ? `/${row.reason}` : ''}`;
  };

  /** The job once it has ended, as GET /jobs/{id} reports it. */
  const jobOutcome = async (id: string) => {
    await t.services.adminJobs.idle();
    const job = await t.call<{ state: string; done: number }>({
      method: 'GET',
      url: `/admin/v1/jobs/${id}`,
      headers: { cookie: tenant.cookies.Supervisor },
    });
    expect(job.body.data.state).toBe('succeeded');
    return job.body.data;
  };

  beforeEach(() => t.clock.set('2026-11-25T15:00:00Z')); // Wednesday 10:00 in New York

  it('promotes a scheduled callback to QUEUED at its time, not before', async () => {
    await makeQueue({ businessHours: NINE_TO_FIVE });
    const id = await book('+12125550100', '2026-11-25T16:00:00.000Z');
    t.clock.set('2026-11-25T15:59:59Z');
    await t.services.lifecycle.promoteDue(t.clock.now());
    expect(await stateOf(id)).toBe('SCHEDULED');
    t.clock.set('2026-11-25T16:00:00Z');
    expect(await t.services.lifecycle.promoteDue(t.clock.now())).toBe(1);
    expect(await stateOf(id)).toBe('QUEUED');
  });

  it('purges at the end of the business day what still waits for that day, and only that', async () => {
    await makeQueue({ businessHours: NINE_TO_FIVE });
    const waiting = await book('+12125550101');
    const today = await book('+12125550102', '2026-11-25T21:30:00.000Z'); // 16:30 local
    const tomorrow = await book('+12125550103', '2026-11-26T15:00:00.000Z');
    await t.services.lifecycle.purge(t.clock.now());
    t.clock.set('2026-11-25T21:59:59Z'); // 16:59:59 local: still open
    await t.services.lifecycle.promoteDue(t.clock.now());
    expect(await t.services.lifecycle.purge(t.clock.now())).toBe(0);
    t.clock.set('2026-11-25T22:00:01Z'); // just after 17:00 local
    // (The count covers every queue of the installation: at least these two.)
    expect(await t.services.lifecycle.purge(t.clock.now())).toBeGreaterThanOrEqual(2);
    expect(await stateOf(waiting)).toBe('COMPLETED/PURGED');
    expect(await stateOf(today)).toBe('COMPLETED/PURGED');
    expect(await stateOf(tomorrow)).toBe('SCHEDULED');
    // Each close is handled once.
    expect(await t.services.lifecycle.purge(t.clock.now())).toBe(0);
  });

  it('records the end-of-day purge once per close, not on every pass between closes', async () => {
    await makeQueue({ businessHours: NINE_TO_FIVE });
    const progress = () =>
      t.services.store.db.transaction((trx) =>
        t.services.store.lifecycle.jobProgress(tenant.id, queue, 'end-of-day-purge', trx),
      );
    t.clock.set('2026-11-25T22:00:01Z'); // just after Wednesday's close in New York
    await t.services.lifecycle.purge(t.clock.now());
    const wednesdayClose = Date.parse('2026-11-25T22:00:00Z') + 1;
    expect(await progress()).toBe(wednesdayClose);
    for (const at of ['2026-11-25T23:00:00Z', '2026-11-26T15:00:00Z', '2026-11-26T21:59:59Z']) {
      t.clock.set(at);
      await t.services.lifecycle.purge(t.clock.now());
      expect(await progress(), at).toBe(wednesdayClose);
    }
    const waiting = await book('+12125550106');
    t.clock.set('2026-11-26T22:00:01Z'); // Thursday's close
    await t.services.lifecycle.purge(t.clock.now());
    expect(await stateOf(waiting)).toBe('COMPLETED/PURGED');
    expect(await progress()).toBe(Date.parse('2026-11-26T22:00:00Z') + 1);
  });

  it('24/7 queues purge after purge.afterMinutes of waiting', async () => {
    await makeQueue({ purge: { atEndOfBusinessDay: false, afterMinutes: 30 } });
    const id = await book('+12125550104');
    t.clock.advance(29 * 60_000);
    await t.services.lifecycle.purge(t.clock.now());
    expect(await stateOf(id)).toBe('QUEUED');
    t.clock.advance(2 * 60_000);
    await t.services.lifecycle.purge(t.clock.now());
    expect(await stateOf(id)).toBe('COMPLETED/PURGED');
  });

  it('completes callbacks past ttlSeconds FAIL_TIMEOUT_TTL and deletes them after retentionDays', async () => {
    await makeQueue({ ttlSeconds: 3600, retentionDays: 2, purge: { atEndOfBusinessDay: false } });
    const id = await book('+12125550105');
    t.clock.advance(3599_000);
    await t.services.lifecycle.expireTtl(t.clock.now());
    expect(await stateOf(id)).toBe('QUEUED');
    t.clock.advance(2_000);
    await t.services.lifecycle.expireTtl(t.clock.now());
    expect(await stateOf(id)).toBe('COMPLETED/FAIL_TIMEOUT_TTL');
    t.clock.advance(2 * 86_400_000 - 10_000);
    await t.services.lifecycle.applyRetention(t.clock.now());
    expect(await stateOf(id)).toBe('COMPLETED/FAIL_TIMEOUT_TTL');
    t.clock.advance(20_000);
    expect(await t.services.lifecycle.applyRetention(t.clock.now())).toBe(1);
    expect(await t.services.store.callbacks.get(tenant.id, id)).toBeUndefined();
    expect(await t.services.store.callbacks.history(tenant.id, id)).toEqual([]);
  });

  it('raises CALLBACK_UPCOMING once when the wait falls below pushThresholdMinutes', async () => {
    await makeQueue({ pushThresholdMinutes: 5 });
    // Throughput: one connected call every 2 minutes.
    for (let i = 0; i < 3; i++) {
      const id = await book(`+1212555020${i}`);
      await t.services.dispatch.claim(tenant.id, [queue], 'dialer', 60);
      t.clock.advance(120_000);
      await t.services.dispatch.finish(tenant.id, id, 'dialer', 'AGENT_CONNECTED');
    }
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await book(`+1212555021${i}`));
    expect(await t.services.lifecycle.raiseUpcoming(t.clock.now())).toBeGreaterThan(0);
    const upcoming = async (id: string) =>
      (await t.services.store.callbacks.history(tenant.id, id)).filter(
        (e) => e.type === 'CALLBACK_UPCOMING',
      ).length;
    expect(await upcoming(ids[0] ?? '')).toBe(1);
    expect(await upcoming(ids[4] ?? '')).toBe(0); // ten minutes away
    await t.services.lifecycle.raiseUpcoming(t.clock.now());
    expect(await upcoming(ids[0] ?? '')).toBe(1);
  });

  it('a job over every queue lets the event loop answer requests while it runs', async () => {
    // By now the tenant has several queues. On SQLite every statement answers synchronously, so
    // without a turn of the event loop between queues a job would hold every request until done.
    expect((await t.services.store.queues.listAll()).length).toBeGreaterThan(3);
    let jobDone = false;
    const job = t.services.lifecycle.raiseUpcoming(t.clock.now()).then(() => (jobDone = true));
    const doneWhenAnswered = await new Promise<boolean>((resolve) =>
      setImmediate(() => resolve(jobDone)),
    );
    await job;
    expect(doneWhenAnswered).toBe(false);
  });

  it('purge now, bulk cancel and statistics through the admin API, each action audited', async () => {
    await makeQueue({});
    const a = await book('+12125550301');
    const b = await book('+12125550302');
    const c = await book('+12125550303');
    const supervisor = { cookie: tenant.cookies.Supervisor };
    const cancel = await t.call<{ id: string }>({
      method: 'POST',
      url: '/admin/v1/callbacks/bulk-cancel',
      headers: supervisor,
      payload: { ids: [a, b] },
    });
    expect(cancel.res.statusCode).toBe(202);
    expect((await jobOutcome(cancel.body.data.id)).done).toBe(2);
    expect(await stateOf(a)).toBe('COMPLETED/CANCELLED_BY_ADMIN');
    const monitorCancel = await t.call({
      method: 'POST',
      url: '/admin/v1/callbacks/bulk-cancel',
      headers: { cookie: tenant.cookies.Monitor },
      payload: { ids: [c] },
    });
    expect(monitorCancel.res.statusCode).toBe(403);

    const stats = await t.call<{
      items: {
        serviceName: string;
        waiting: number;
        completedTodayByReason: Record<string, number>;
      }[];
    }>({
      method: 'GET',
      url: '/admin/v1/stats/queues',
      headers: { cookie: tenant.cookies.Monitor },
    });
    const mine = stats.body.data.items.find((s) => s.serviceName === queue);
    expect(mine?.waiting).toBe(1);
    expect(mine?.completedTodayByReason).toEqual({ CANCELLED_BY_ADMIN: 2 });

    const purge = await t.call<{ id: string }>({
      method: 'POST',
      url: `/admin/v1/queues/${queue}/purge`,
      headers: supervisor,
    });
    expect(purge.res.statusCode).toBe(202);
    expect((await jobOutcome(purge.body.data.id)).done).toBe(1);
    expect(await stateOf(c)).toBe('COMPLETED/PURGED');

    const audit = await t.call<{ items: { actor: string; action: string; target: string }[] }>({
      method: 'GET',
      url: '/admin/v1/audit',
      headers: admin(),
    });
    const actions = audit.body.data.items.map((e) => `${e.actor} ${e.action} ${e.target}`);
    expect(actions).toContain(`user:supervisor queue.purge ${queue}`);
    expect(actions).toContain('user:supervisor callbacks.bulk-cancel *');
    expect(actions).toContain(`user:administrator queue.create ${queue}`);
  });

  it.each([
    ['only states that cannot be cancelled', { states: ['PROCESSING', 'COMPLETED'] }],
    ['an empty list of states', { states: [] }],
  ])('bulk cancel with %s is refused 400 and changes nothing', async (_, filter) => {
    await makeQueue({});
    const id = await book('+12125550401');
    const res = await t.call({
      method: 'POST',
      url: '/admin/v1/callbacks/bulk-cancel',
      headers: { cookie: tenant.cookies.Supervisor },
      payload: { serviceName: queue, ...filter },
    });
    expect(res.res.statusCode).toBe(400);
    expect(res.body.status.code).toBe(40001);
    expect(res.body.status.corrId).toBeTruthy();
    expect(res.body.status.message).toMatch(/SCHEDULED, QUEUED and ROUTING/);
    expect(await stateOf(id)).toBe('QUEUED');
  });
});
