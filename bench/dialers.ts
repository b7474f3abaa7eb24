import { openDb, type DatabaseTarget } from '../src/store/db.js';
import { request } from './http.js';
import { percentile } from './stats.js';

/** Four dialers, as in the target (≥ 5 000 claims per second on PostgreSQL). */
export const DIALERS = 4;
const REQUEST_TIMEOUT_MS = 30_000;

/** What the dialer scenario measured. */
export interface DialerResult {
  dialers: number;
  lines: number;
  batch: number;
  /** Callbacks claimed by claims asked and answered inside the measured window, per second. */
  claimsPerSec: number;
  /** Latency of the claim request alone, and of a whole claim→start→finish cycle (ms) of a batch. */
  claimP50: number;
  claimP99: number;
  cycleP50: number;
  cycleP99: number;
  /** Every claim of the run, warm-up included. */
  totalClaims: number;
  /** Seconds after the warm-up at which the pool ran dry, if it did. */
  drainedAfter: number | undefined;
  /** Callbacks with more than one `callback.routing` event. */
  duplicates: number;
}

interface DialerRun {
  base: string;
  /** One dispatch-scope API key per dialer. */
  keys: readonly string[];
  queues: readonly string[];
  lines: number;
  /** Callbacks per claim, start and finish request (1: the single-callback routes). */
  batch: number;
  warmUpSeconds: number;
  seconds: number;
}

/**
 * POSTs to the dispatch API; anything but 200 stops the scenario loudly. Through node:http with
 * keep-alive, not fetch: on a 2-core machine the dialers' own CPU is taken from the service and
 * the database, which pgbench's baseline does not pay (bench/README.md).
 */
async function dispatchCall<T>(base: string, key: string, path: string, body: unknown) {
  const res = await request(
    'POST',
    `${base}/dispatch/v1${path}`,
    { 'content-type': 'application/json', 'x-api-key': key },
    REQUEST_TIMEOUT_MS,
    JSON.stringify(body),
  );
  if (res.status !== 200) throw new Error(`dispatch ${path} answered ${res.status}: ${res.text}`);
  return (JSON.parse(res.text) as { data: T }).data;
}

/**
 * Places the claimed calls and reports them connected: one request per callback through the
 * single-callback routes when the dialer claims one at a time, else the batch routes.
 */
async function startAndFinish(run: DialerRun, key: string, ids: readonly string[]) {
  if (run.batch === 1) {
    for (const id of ids) {
      await dispatchCall(run.base, key, `/callbacks/${id}/start`, {});
      await dispatchCall(run.base, key, `/callbacks/${id}/finish`, { outcome: 'AGENT_CONNECTED' });
    }
    return;
  }
  type Answer = { results: { id: string; error?: { code: number; message: string } }[] };
  const refused = (answer: Answer) => answer.results.find((r) => r.error !== undefined);
  const started = await dispatchCall<Answer>(run.base, key, '/start', { ids });
  const finished = await dispatchCall<Answer>(run.base, key, '/finish', {
    results: ids.map((id) => ({ id, outcome: 'AGENT_CONNECTED' })),
  });
  const wrong = refused(started) ?? refused(finished);
  if (wrong) throw new Error(`dispatch refused ${wrong.id}: ${JSON.stringify(wrong.error)}`);
}

/**
 * Runs `lines` concurrent claim→start→finish loops for each dialer key, over HTTP, for the
 * warm-up plus the measured seconds (or until the pool runs dry). Returns the claimed ids and
 * the timings of the measured window.
 */
async function runDialers(run: DialerRun) {
  const started = performance.now();
  const measureFrom = started + run.warmUpSeconds * 1000;
  const deadline = measureFrom + run.seconds * 1000;
  const claimed: string[] = [];
  const claimMs: number[] = [];
  const cycleMs: number[] = [];
  let drainedAt: number | undefined;
  let failed = false;

  let measuredClaims = 0;

  const line = async (key: string) => {
    while (!failed && drainedAt === undefined && performance.now() < deadline) {
      const t0 = performance.now();
      const { callbacks } = await dispatchCall<{ callbacks: { id: string }[] }>(
        run.base,
        key,
        '/claim',
        { serviceNames: run.queues, maxCallbacks: run.batch },
      );
      const t1 = performance.now();
      if (callbacks.length === 0) {
        drainedAt = t1;
        return;
      }
      const ids = callbacks.map((c) => c.id);
      claimed.push(...ids);
      await startAndFinish(run, key, ids);
      if (t0 >= measureFrom && t1 <= deadline) {
        measuredClaims += ids.length;
        claimMs.push(t1 - t0);
        cycleMs.push(performance.now() - t0);
      }
    }
  };
  await Promise.all(
    run.keys.flatMap((key) =>
      Array.from({ length: run.lines }, () =>
        line(key).catch((err: unknown) => {
          failed = true;
          throw err;
        }),
      ),
    ),
  );
  const windowEnd = Math.min(deadline, drainedAt ?? deadline);
  return {
    claimed,
    measuredClaims,
    claimMs,
    cycleMs,
    windowSeconds: Math.max(0.001, (windowEnd - measureFrom) / 1000),
    drainedAfter: drainedAt === undefined ? undefined : (drainedAt - measureFrom) / 1000,
  };
}

/** Callbacks of the tenant claimed more than once, read from the event outbox. */
async function duplicateClaims(target: DatabaseTarget, tenantId: string): Promise<number> {
  const db = openDb(target);
  try {
    const rows = await db.kysely
      .selectFrom('callback_events')
      .select('callback_id')
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'callback.routing')
      .groupBy('callback_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    return rows.length;
  } finally {
    await db.close();
  }
}

/**
 * The dialer scenario: four dialers claim, start and finish callbacks from all the queues for
 * the duration; afterwards the outbox must show no callback routed twice (or this throws).
 */
export async function dialerScenario(
  run: DialerRun,
  target: DatabaseTarget,
  tenantId: string,
): Promise<DialerResult> {
  const measured = await runDialers(run);
  const distinct = new Set(measured.claimed).size;
  const duplicates = await duplicateClaims(target, tenantId);
  if (duplicates > 0 || distinct !== measured.claimed.length) {
    throw new Error(
      `duplicates: ${duplicates} callbacks were claimed more than once ` +
        `(${measured.claimed.length} claims answered, ${distinct} distinct ids)`,
    );
  }
  return {
    dialers: run.keys.length,
    lines: run.lines,
    batch: run.batch,
    claimsPerSec: measured.measuredClaims / measured.windowSeconds,
    claimP50: percentile(measured.claimMs, 50),
    claimP99: percentile(measured.claimMs, 99),
    cycleP50: percentile(measured.cycleMs, 50),
    cycleP99: percentile(measured.cycleMs, 99),
    totalClaims: measured.claimed.length,
    drainedAfter: measured.drainedAfter,
    duplicates,
  };
}
