import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { createStore } from '../../../src/store/index.js';
import { describeEngines, freshDatabase } from '../../helpers/engines.js';
import { request, startService, type Service } from '../../helpers/service.js';
import { seedCallbacks, waitingCallback } from './seed.js';
import type { AdminJob as Job } from '../../../src/http/schemas/operations.js';

/** Enough waiting callbacks that the purge is still running when its node is killed. */
const SEEDED = 60_000;
const LEASE_SECONDS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEngines('a purge job whose node dies', (engine) => {
  it('is finished by another node once its lease runs out, each callback purged once', async () => {
    const fresh = await freshDatabase(engine);
    const { target } = fresh;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-job-'));
    const env: Record<string, string> = {
      MASTER_KEY: crypto.randomBytes(32).toString('base64'),
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      JOB_INTERVAL_MS: '200',
      ADMIN_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      DATA_DIR: dataDir,
      DATABASE_URL: target.kind === 'sqlite' ? `sqlite:${target.file}` : target.url,
    };
    const services: Service[] = [];
    const db = openDb(target);
    try {
      const first = await startService(env);
      services.push(first);
      const key = /Admin key:\s+(\S+)/.exec(first.stdout())?.[1];
      if (key === undefined) throw new Error(`no demo key printed:\n${first.stdout()}`);
      const queue = await request(first.base, key, 'POST', '/admin/v1/queues', { name: 'bulk' });
      expect(queue.http, queue.status.message).toBe(200);
      const now = Date.now();
      await seedCallbacks(
        createStore(db),
        Array.from({ length: SEEDED }, (_, index) =>
          waitingCallback({ tenantId: 'demo', serviceName: 'bulk', index, now }),
        ),
      );
      // On PostgreSQL the second node runs beside the first all along (and must leave the job
      // alone while the first holds it); SQLite has one node, which is restarted instead.
      const second = engine === 'postgres' ? await startService(env) : undefined;
      if (second) services.push(second);

      const started = await request<Job>(first.base, key, 'POST', '/admin/v1/queues/bulk/purge');
      expect(started.http).toBe(202);
      const jobId = started.data.id;
      let atKill: Job | undefined;
      for (;;) {
        const job = await request<Job>(first.base, key, 'GET', `/admin/v1/jobs/${jobId}`);
        expect(job.data.state, 'the purge ended before it could be interrupted').toBe('running');
        if (job.data.done > 0) {
          first.child.kill('SIGKILL');
          atKill = job.data;
          break;
        }
        await sleep(10);
      }
      await first.exited;
      const heldBy = await db.kysely
        .selectFrom('admin_jobs')
        .select(['attempts', 'done'])
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(Number(heldBy.attempts)).toBe(1);
      expect(Number(heldBy.done)).toBeGreaterThanOrEqual(atKill.done);
      expect(Number(heldBy.done)).toBeLessThan(SEEDED);

      const survivor = second ?? (await startService(env));
      if (!second) services.push(survivor);
      const deadline = Date.now() + 60_000;
      let job: Job;
      for (;;) {
        job = (await request<Job>(survivor.base, key, 'GET', `/admin/v1/jobs/${jobId}`)).data;
        if (job.state !== 'running' || Date.now() > deadline) break;
        await sleep(100);
      }
      expect(job).toMatchObject({ state: 'succeeded', done: SEEDED, total: SEEDED });
      const row = await db.kysely
        .selectFrom('admin_jobs')
        .select('attempts')
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(Number(row.attempts)).toBe(2);

      // Every seeded callback completed PURGED, each with exactly one completion event.
      const states = await db.kysely
        .selectFrom('callbacks')
        .select(['state', 'reason', (eb) => eb.fn.countAll<string>().as('n')])
        .where('tenant_id', '=', 'demo')
        .where('service_name', '=', 'bulk')
        .groupBy(['state', 'reason'])
        .execute();
      expect(states.map((s) => `${s.state}/${s.reason}:${Number(s.n)}`)).toEqual([
        `COMPLETED/PURGED:${SEEDED}`,
      ]);
      const events = await db.kysely
        .selectFrom('callback_events')
        .select([
          (eb) => eb.fn.countAll<string>().as('n'),
          (eb) => eb.fn.count<string>('callback_id').distinct().as('distinct'),
        ])
        .where('tenant_id', '=', 'demo')
        .where('type', '=', 'callback.completed')
        .executeTakeFirstOrThrow();
      expect([Number(events.n), Number(events.distinct)]).toEqual([SEEDED, SEEDED]);
    } finally {
      for (const service of services) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      await db.close();
      await fresh.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
