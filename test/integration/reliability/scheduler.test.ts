import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startScheduler, type Job } from '../../../src/jobs/scheduler.js';
import { FakeClock } from '../../helpers/clock.js';

const TICK_MS = 100;

/** A job that records the instants it was run with. */
function recording(name: string, everyMs: number, firstDelayMs?: number) {
  const runs: number[] = [];
  const job: Job = {
    name,
    everyMs,
    ...(firstDelayMs === undefined ? {} : { firstDelayMs }),
    run: async (now) => {
      runs.push(now);
    },
  };
  return { job, runs };
}

/** A promise the test settles by hand, to hold a job in the middle of its run. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('the scheduler loop', () => {
  // Only the loop's timers are fake; the time the jobs see comes from the injected clock alone.
  const clock = new FakeClock(Date.parse('2026-11-25T15:00:00Z'));
  const start = clock.now();
  const errors: { obj: object; msg: string }[] = [];
  const log = { error: (obj: object, msg: string) => errors.push({ obj, msg }) };

  /** Lets `ms` pass on the injected clock, tick by tick, running whatever the loop starts. */
  async function elapse(ms: number): Promise<void> {
    for (let passed = 0; passed < ms; passed += TICK_MS) {
      clock.advance(TICK_MS);
      await vi.advanceTimersByTimeAsync(TICK_MS);
    }
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    clock.set(start);
    errors.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each job on its own period, with the injected now', async () => {
    const every1s = recording('every-second', 1000);
    const every3s = recording('every-3-seconds', 3000);
    const delayed = recording('delayed', 5000, 2000);
    const scheduler = startScheduler([every1s.job, every3s.job, delayed.job], TICK_MS, log, () =>
      clock.now(),
    );
    await elapse(10_000);
    await scheduler.stop();

    const at = (...offsets: number[]) => offsets.map((o) => start + o);
    expect(every1s.runs).toEqual(at(100, 1100, 2100, 3100, 4100, 5100, 6100, 7100, 8100, 9100));
    expect(every3s.runs).toEqual(at(100, 3100, 6100, 9100));
    expect(delayed.runs).toEqual(at(2000, 7000));
    expect(errors).toEqual([]);
  });

  it('runs a job once after the clock jumps, instead of catching up every missed period', async () => {
    const job = recording('every-second', 1000);
    const scheduler = startScheduler([job.job], TICK_MS, log, () => clock.now());
    await elapse(TICK_MS);
    clock.advance(3_600_000);
    await elapse(TICK_MS);
    await scheduler.stop();
    expect(job.runs).toEqual([start + 100, start + 3_600_200]);
  });

  it('never overlaps a job with itself, and a slow job does not hold up the others', async () => {
    const slowRun = gate();
    let running = 0;
    let mostAtOnce = 0;
    const slowStarts: number[] = [];
    const slow: Job = {
      name: 'slow',
      everyMs: 1000,
      run: async (now) => {
        slowStarts.push(now);
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await slowRun.opened;
        running--;
      },
    };
    const quick = recording('quick', 1000);
    const scheduler = startScheduler([slow, quick.job], TICK_MS, log, () => clock.now());

    // The slow job is stuck for five of its periods: it is not started again meanwhile...
    await elapse(5000);
    expect(slowStarts).toEqual([start + 100]);
    // ...while the quick job keeps its own period.
    expect(quick.runs).toEqual([100, 1100, 2100, 3100, 4100].map((o) => start + o));

    slowRun.open();
    await elapse(TICK_MS);
    expect(slowStarts).toEqual([start + 100, start + 5100]);
    expect(mostAtOnce).toBe(1);
    await scheduler.stop();
  });

  it('logs a failing job and keeps running it and the others', async () => {
    let failures = 0;
    const failing: Job = {
      name: 'failing',
      everyMs: 1000,
      run: async () => {
        failures++;
        throw new Error('database unreachable');
      },
    };
    const healthy = recording('healthy', 1000);
    const scheduler = startScheduler([failing, healthy.job], TICK_MS, log, () => clock.now());
    await elapse(3000);
    await scheduler.stop();

    expect(failures).toBe(3);
    expect(healthy.runs).toHaveLength(3);
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e.msg).toBe('job failed');
      expect(e.obj).toMatchObject({ job: 'failing', err: new Error('database unreachable') });
    }
  });

  it('stops cleanly: waits for a job in progress, then starts nothing more', async () => {
    const inProgress = gate();
    let finished = false;
    const job: Job = {
      name: 'long',
      everyMs: 1000,
      run: async () => {
        await inProgress.opened;
        finished = true;
      },
    };
    const other = recording('other', 1000);
    const scheduler = startScheduler([job, other.job], TICK_MS, log, () => clock.now());
    await elapse(TICK_MS);

    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    inProgress.open();
    await stopping;
    expect(finished).toBe(true);

    const runsAtStop = other.runs.length;
    await elapse(5000);
    expect(other.runs).toHaveLength(runsAtStop);
    expect(vi.getTimerCount()).toBe(0);
  });
});
