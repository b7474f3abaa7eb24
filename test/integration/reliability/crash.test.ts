import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { describeEngines, freshDatabase } from '../../helpers/engines.js';
import { phoneFor } from './seed.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const CONCURRENCY = 20;
/** Acknowledged bookings after which the process is killed, with the rest of the load in flight. */
const KILL_AFTER = 150;
/** How long after KILL_AFTER acknowledgements the kill comes (bookings go on meanwhile). */
const KILL_DELAY_MS = 20;
/** Load-and-kill rounds before giving up on a kill that hits a booking in flight. */
const MAX_ROUNDS = 5;
const START_TIMEOUT_MS = 30_000;

/** A port nothing listens on right now (the service cannot report the one it picked for PORT=0). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real service as a child process, the way an operator starts it. */
interface Service {
  child: ChildProcess;
  base: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  exited: Promise<void>;
}

async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`the service exited while starting:\n${out}\n${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not answer within ${START_TIMEOUT_MS} ms:\n${out}\n${err}`);
    }
    const ready = await fetch(`${base}/healthz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return { child, base, stdout: () => out, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A JSON POST with the key; the HTTP status and the parsed envelope. */
async function post(base: string, key: string, url: string, body: unknown) {
  const res = await fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  const envelope = (await res.json()) as { status: { code: number }; data: { id?: string } };
  return { http: res.status, envelope };
}

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
      const id = answer.envelope.data.id;
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
      expect(queue.http, JSON.stringify(queue.envelope)).toBe(200);

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
            if (found.http !== 200 || found.envelope.data.id !== id) missing.push(id);
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
