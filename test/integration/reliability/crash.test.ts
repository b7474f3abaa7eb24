import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { describeEngines, freshDatabase } from '../../helpers/engines.js';
import { request, startService, type Service } from '../../helpers/service.js';
import { phoneFor } from './seed.js';

const CONCURRENCY = 20;
/** Acknowledged bookings after which the process is killed, with the rest of the load in flight. */
const KILL_AFTER = 150;
/** How long after KILL_AFTER acknowledgements the kill comes (bookings go on meanwhile). */
const KILL_DELAY_MS = 20;
/** Load-and-kill rounds before giving up on a kill that hits a booking in flight. */
const MAX_ROUNDS = 5;

/** A JSON POST with the key; the HTTP status and the parsed envelope. */
const post = (base: string, key: string, url: string, body: unknown) =>
  request<{ id?: string }>(base, key, 'POST', url, body);

/**
 * Books into the `crash` queue with CONCURRENCY workers and kills the service with SIGKILL
 * shortly after KILL_AFTER acknowledgements, while every worker keeps booking. Returns the
 * acknowledged ids, the refusals, how many bookings were in flight at the kill (sent before it,
 * never answered) and the next phone number index.
 */
async function bookUntilKilled(victim: Service, key: string, firstPhone: number) {
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let next = firstPhone;
  let killedAt: number | undefined;
  let interrupted = 0;
  const killSoon = () =>
    setTimeout(() => {
      killedAt = performance.now();
      victim.child.kill('SIGKILL');
    }, KILL_DELAY_MS);
  const worker = async () => {
    for (;;) {
      const i = next++;
      const sentAt = performance.now();
      let answer: Awaited<ReturnType<typeof post>>;
      try {
        answer = await post(victim.base, key, '/engagement/v3/callbacks/create', {
          serviceName: 'crash',
          phoneNumber: phoneFor(i),
        });
      } catch (e) {
        // After the kill, requests fail: that is the point. Those sent before it were in flight.
        if (killedAt === undefined) throw e;
        if (sentAt < killedAt) interrupted++;
        return;
      }
      const id = answer.data.id;
      if (answer.http !== 200 || id === undefined) {
        refused.push(JSON.stringify(answer));
        continue;
      }
      acknowledged.push(id);
      if (acknowledged.length === KILL_AFTER) killSoon();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await victim.exited;
  return { acknowledged, refused, interrupted, booked: next };
}

describeEngines('a service killed in the middle of a booking load', (engine) => {
  it('keeps every booking it acknowledged, each with its event, after a restart', async () => {
    const fresh = await freshDatabase(engine);
    const { target } = fresh;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-crash-'));
    const env: Record<string, string> = {
      MASTER_KEY: crypto.randomBytes(32).toString('base64'),
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      // Thousands of bookings from one address: a load test, not what rate limits are for.
      RATE_LIMITS: 'false',
      ...(target.kind === 'sqlite'
        ? { DATA_DIR: dataDir, DATABASE_URL: `sqlite:${target.file}` }
        : { DATA_DIR: dataDir, DATABASE_URL: target.url }),
    };
    let service: Service | undefined;
    try {
      service = await startService(env);
      // The first start prints the demo tenant's admin key; a 24/7 queue keeps the load
      // independent of the wall-clock time the test runs at.
      const key = /Admin key:\s+(\S+)/.exec(service.stdout())?.[1];
      if (key === undefined) throw new Error(`no demo key printed:\n${service.stdout()}`);
      // Room for every round's bookings in the immediate queue.
      const queue = await post(service.base, key, '/admin/v1/queues', {
        name: 'crash',
        maxQueuedImmediate: 100_000,
      });
      expect(queue.http, JSON.stringify(queue.status)).toBe(200);

      const acknowledged: string[] = [];
      let interrupted = 0;
      let booked = 0;
      // A kill may land while no booking is in flight (the service answers a group of bookings
      // at once, then waits on the client); such a round proves nothing, so load and kill again.
      for (let round = 1; interrupted === 0; round++) {
        if (round > MAX_ROUNDS) throw new Error(`no kill of ${MAX_ROUNDS} hit a booking in flight`);
        if (round > 1) service = await startService(env);
        const load = await bookUntilKilled(service, key, booked);
        expect(load.refused).toEqual([]);
        expect(load.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
        acknowledged.push(...load.acknowledged);
        interrupted = load.interrupted;
        booked = load.booked;
      }
      console.log(
        `[${engine}] killed after ${acknowledged.length} acknowledged bookings, ${interrupted} in flight`,
      );

      const restarted = await startService(env);
      service = restarted;
      const missing: string[] = [];
      for (let i = 0; i < acknowledged.length; i += CONCURRENCY) {
        await Promise.all(
          acknowledged.slice(i, i + CONCURRENCY).map(async (id) => {
            const found = await post(restarted.base, key, '/engagement/v3/callbacks/retrieve', {
              id,
            });
            if (found.http !== 200 || found.data.id !== id) missing.push(id);
          }),
        );
      }
      expect(missing).toEqual([]);

      // The outbox kept the change's event with it: one `callback.queued` per acknowledged booking.
      const db = openDb(target);
      try {
        const events = new Map<string, number>();
        for (let i = 0; i < acknowledged.length; i += 500) {
          const rows = await db.kysely
            .selectFrom('callback_events')
            .select('callback_id')
            .where('callback_id', 'in', acknowledged.slice(i, i + 500))
            .where('type', '=', 'callback.queued')
            .execute();
          for (const r of rows) events.set(r.callback_id, (events.get(r.callback_id) ?? 0) + 1);
        }
        expect(acknowledged.filter((id) => events.get(id) !== 1)).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      service?.child.kill('SIGTERM');
      await service?.exited;
      await fresh.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
