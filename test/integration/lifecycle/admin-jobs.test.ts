import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestTenant } from '../../helpers/app.js';
import { seedCallbacks, waitingCallback } from '../reliability/seed.js';
import type { AdminJob as Job } from '../../../src/http/schemas/operations.js';

describeEngines('purge and bulk cancel as jobs', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let acme: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    acme = await t.tenant('acme');
    other = await t.tenant('other');
    for (const name of ['big', 'small', 'left']) {
      const made = await t.call({
        method: 'POST',
        url: '/admin/v1/queues',
        headers: { cookie: acme.cookies.Administrator },
        payload: { name },
      });
      expect(made.body.status.code, made.body.status.message).toBe(0);
    }
  });
  afterAll(async () => {
    await t.services.adminJobs.idle();
    await t.close();
    await t.dropDatabase();
  });

  const seed = (serviceName: string, count: number, from = 0) =>
    seedCallbacks(
      t.services.store,
      Array.from({ length: count }, (_, i) =>
        waitingCallback({ tenantId: acme.id, serviceName, index: from + i, now: t.clock.now() }),
      ),
    );
  const getJob = (id: string, cookie = acme.cookies.Supervisor) =>
    t.call<Job>({ method: 'GET', url: `/admin/v1/jobs/${id}`, headers: { cookie } });
  const waiting = async (serviceName: string) =>
    await t.services.store.lifecycle.countWaiting({ tenantId: acme.id, serviceName });

  it('purge answers 202 with a job at once; the job reports done and total and ends succeeded', async () => {
    await seed('big', 3_000);
    // The confirmation can say how many callbacks a purge takes.
    const preview = await t.call<{ waiting: number }>({
      method: 'GET',
      url: '/admin/v1/queues/big/purge',
      headers: { cookie: acme.cookies.Supervisor },
    });
    expect(preview.body.data).toEqual({ serviceName: 'big', waiting: 3_000 });
    const started = await t.call<Job>({
      method: 'POST',
      url: '/admin/v1/queues/big/purge',
      headers: { cookie: acme.cookies.Supervisor },
    });
    expect(started.res.statusCode).toBe(202);
    expect(started.body.status.code).toBe(0);
    expect(started.body.data).toMatchObject({
      kind: 'purge',
      state: 'running',
      serviceName: 'big',
    });
    // Answered before the work: most of the queue still waits.
    expect(started.body.data.done).toBe(0);
    expect(await waiting('big')).toBeGreaterThan(0);

    // Progress is visible while it runs: done only grows, up to the total.
    const seen: number[] = [];
    for (;;) {
      const { body } = await getJob(started.body.data.id);
      seen.push(body.data.done);
      if (body.data.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const { body } = await getJob(started.body.data.id);
    expect(body.data).toMatchObject({ state: 'succeeded', done: 3_000, total: 3_000 });
    expect(body.data.finishedAt).toBeDefined();
    expect(await waiting('big')).toBe(0);

    const audit = await t.services.audit.list(acme.id, 20);
    const record = audit.find((e) => e.action === 'queue.purge');
    expect(record?.target).toBe('big');
    expect(JSON.stringify(record?.after)).toContain('"purged":3000');
  });

  it('bulk cancel by filter answers 202 and its job cancels exactly the waiting callbacks', async () => {
    await seed('small', 40, 5_000);
    const started = await t.call<Job>({
      method: 'POST',
      url: '/admin/v1/callbacks/bulk-cancel',
      headers: { cookie: acme.cookies.Supervisor },
      payload: { serviceName: 'small' },
    });
    expect(started.res.statusCode).toBe(202);
    expect(started.body.data.kind).toBe('bulk-cancel');
    await t.services.adminJobs.idle();
    const { body } = await getJob(started.body.data.id);
    expect(body.data).toMatchObject({ state: 'succeeded', done: 40, total: 40 });
    const rows = await t.services.store.callbacks.find(acme.id, {
      serviceName: 'small',
      limit: 100,
    });
    expect(rows.map((r) => `${r.state}/${r.reason}`)).toEqual(
      Array(40).fill('COMPLETED/CANCELLED_BY_ADMIN'),
    );
  });

  it('refuses a bad request at once, before any job exists', async () => {
    const unknown = await t.call({
      method: 'POST',
      url: '/admin/v1/queues/nope/purge',
      headers: { cookie: acme.cookies.Supervisor },
    });
    expect(unknown.res.statusCode).toBe(404);
    expect(unknown.body.status.code).toBe(40402);
    const empty = await t.call({
      method: 'POST',
      url: '/admin/v1/callbacks/bulk-cancel',
      headers: { cookie: acme.cookies.Supervisor },
      payload: {},
    });
    expect(empty.res.statusCode).toBe(400);
    expect(empty.body.status.code).toBe(40002);
  });

  it('a job is visible to its tenant only, and not to the Monitor role', async () => {
    const started = await t.call<Job>({
      method: 'POST',
      url: '/admin/v1/queues/small/purge',
      headers: { cookie: acme.cookies.Administrator },
    });
    await t.services.adminJobs.idle();
    // Whoever may start a purge may follow it: Administrator and Supervisor (README, Roles).
    expect((await getJob(started.body.data.id, acme.cookies.Supervisor)).res.statusCode).toBe(200);
    expect((await getJob(started.body.data.id, acme.cookies.Developer)).res.statusCode).toBe(403);
    const otherTenant = await getJob(started.body.data.id, other.cookies.Administrator);
    expect(otherTenant.res.statusCode).toBe(404);
    expect(otherTenant.body.status.code).toBe(40403);
    expect((await getJob(started.body.data.id, acme.cookies.Monitor)).res.statusCode).toBe(403);
    expect((await getJob('job_unknown')).res.statusCode).toBe(404);
  });

  it('the scheduler finishes a job whose node stopped renewing its lease, counting each callback once', async () => {
    await seed('left', 500, 6_000);
    const now = t.clock.now();
    // What a node that died mid-purge leaves: a running job, 200 callbacks done, a lease.
    const firstDone = await t.services.store.db.transaction((trx) =>
      t.services.store.lifecycle.completeWaiting(
        { tenantId: acme.id, serviceName: 'left' },
        'PURGED',
        now,
        200,
        trx,
      ),
    );
    expect(firstDone).toHaveLength(200);
    await t.services.store.adminJobs.insert({
      id: 'job_dead_node',
      tenant_id: acme.id,
      kind: 'purge',
      params: JSON.stringify({ filter: { tenantId: acme.id, serviceName: 'left' } }),
      actor: JSON.stringify({ tenantId: acme.id, name: 'user:supervisor' }),
      state: 'running',
      done: 200,
      total: 500,
      error: null,
      lease_owner: 'node-dead',
      lease_expires_at: now + 30_000,
      attempts: 1,
      created_at: now,
      started_at: now,
      updated_at: now,
      finished_at: null,
    });
    // While the lease holds, nobody else takes the job.
    expect(await t.services.adminJobs.runDue()).toBe(0);
    expect((await getJob('job_dead_node')).body.data).toMatchObject({
      state: 'running',
      done: 200,
    });

    t.clock.advance(30_001);
    expect(await t.services.adminJobs.runDue()).toBe(1);
    expect((await getJob('job_dead_node')).body.data).toMatchObject({
      state: 'succeeded',
      done: 500,
      total: 500,
    });
    expect(await waiting('left')).toBe(0);
  });
});
