import { request } from './http.js';
import { percentile } from './stats.js';

const PROBE_EVERY_MS = 10;
// Probing starts before the purge (the first answers warm the route up and do not count) and
// goes on after it: the outbox then hands on an event per purged callback, which may stall too.
const PROBE_LEAD_MS = 1_000;
const PROBE_TAIL_MS = 2_000;
// A purge slower than this is a failure to report, not something to wait out. A probe may stall
// as long as the purge does: that stall is the figure, so it gets the same bound.
const PURGE_TIMEOUT_MS = 600_000;
/** How often the job's progress is read while it runs. */
const JOB_POLL_MS = 50;

/** What the purge scenario measured. */
export interface PurgeResult {
  seeded: number;
  purged: number;
  seconds: number;
  /** The slowest queue-status answer during the purge and just after: the API's stall (ms). */
  worstStall: number;
  /** When the slowest answer was asked, in seconds after the purge began (after its end: > seconds). */
  worstStallAt: number;
  probeP99: number;
  probes: number;
}

interface PurgeRun {
  base: string;
  /** An admin-scope API key (purge-now is an admin tool). */
  adminKey: string;
  /** An engagement key for the probe. */
  engagementKey: string;
  queue: string;
  seeded: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One probe answer: when it was asked and how long it took (ms, performance.now()). */
interface ProbeSample {
  at: number;
  latency: number;
}

/**
 * Asks GET queue-status of `queue` every ~10 ms until `done()`: a web visitor's view of whether
 * the API stalls.
 */
async function probe(base: string, key: string, queue: string, done: () => boolean) {
  const samples: ProbeSample[] = [];
  while (!done()) {
    const t0 = performance.now();
    const res = await request(
      'GET',
      `${base}/engagement/v3/callbacks/queue-status/${queue}`,
      { 'x-api-key': key },
      PURGE_TIMEOUT_MS,
    );
    const elapsed = performance.now() - t0;
    if (res.status !== 200) throw new Error(`queue-status answered ${res.status} during the purge`);
    samples.push({ at: t0, latency: elapsed });
    await sleep(Math.max(0, PROBE_EVERY_MS - elapsed));
  }
  return samples;
}

/**
 * The end-of-day purge at scale: purge-now on a queue holding `seeded` waiting callbacks, timed,
 * while a probe measures how long the API stalls. Throws unless every seeded callback was purged.
 */
export async function purgeScenario(run: PurgeRun): Promise<PurgeResult> {
  let finished = false;
  const probing = probe(run.base, run.engagementKey, run.queue, () => finished);
  // Observed now so a probe failure mid-purge is not an unhandled rejection; awaited below.
  probing.catch(() => undefined);
  await sleep(PROBE_LEAD_MS);
  const t0 = performance.now();
  let purged: number;
  try {
    const res = await request(
      'POST',
      `${run.base}/admin/v1/queues/${run.queue}/purge`,
      { 'x-api-key': run.adminKey },
      PURGE_TIMEOUT_MS,
    );
    if (res.status !== 202) throw new Error(`purge answered ${res.status}: ${res.text}`);
    // The purge runs as a job: follow it until it ends, as the console does.
    const jobId = (JSON.parse(res.text) as { data: { id: string } }).data.id;
    for (;;) {
      const poll = await request(
        'GET',
        `${run.base}/admin/v1/jobs/${jobId}`,
        { 'x-api-key': run.adminKey },
        PURGE_TIMEOUT_MS,
      );
      const job = (JSON.parse(poll.text) as { data: { state: string; done: number } }).data;
      if (job.state === 'failed') throw new Error(`the purge job failed: ${poll.text}`);
      if (job.state === 'succeeded') {
        purged = job.done;
        break;
      }
      if (performance.now() - t0 > PURGE_TIMEOUT_MS) throw new Error('the purge job did not end');
      await sleep(JOB_POLL_MS);
    }
  } finally {
    setTimeout(() => (finished = true), PROBE_TAIL_MS);
  }
  const t1 = performance.now();
  const seconds = (t1 - t0) / 1000;
  const counted = (await probing).filter((p) => p.at + p.latency > t0 && p.at < t1 + PROBE_TAIL_MS);
  const latencies = counted.map((p) => p.latency);
  const worst = counted.reduce<ProbeSample | undefined>(
    (w, p) => (w === undefined || p.latency > w.latency ? p : w),
    undefined,
  );
  if (purged !== run.seeded) {
    throw new Error(`the purge completed ${purged} callbacks, ${run.seeded} were waiting`);
  }
  return {
    seeded: run.seeded,
    purged,
    seconds,
    worstStall: percentile(latencies, 100),
    worstStallAt: worst === undefined ? 0 : (worst.at - t0) / 1000,
    probeP99: percentile(latencies, 99),
    probes: latencies.length,
  };
}
