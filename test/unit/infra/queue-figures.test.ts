import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BULK_CHANGE_ANNOUNCE_MS,
  BULK_CHANGE_HEARD_HOLD_MS,
  CHANGES_ANNOUNCE_MS,
  QueueActivity,
} from '../../../src/infra/queue-activity.js';
import { FIGURE_MAX_AGE_MS, QueueFigures } from '../../../src/infra/queue-figures.js';
import type { BulkChangeNews, ChangedQueue } from '../../../src/infra/invalidation.js';

/** A read the test finishes by hand, counting how many were started. */
function manualReads() {
  const finish: ((value: number) => void)[] = [];
  return {
    started: () => finish.length,
    read: () => new Promise<number>((resolve) => finish.push(resolve)),
    finish: (index: number, value: number) => finish[index]?.(value),
  };
}

describe('queue figures', () => {
  it('requests arriving while a figure is read share that read', async () => {
    const activity = new QueueActivity();
    const figures = new QueueFigures<number>(activity, () => 0);
    const reads = manualReads();
    const asks = Array.from({ length: 5 }, () => figures.get('t', 'q', 'ewt', reads.read));
    expect(reads.started()).toBe(1);
    reads.finish(0, 42);
    expect(await Promise.all(asks)).toEqual([42, 42, 42, 42, 42]);
  });

  it('a request after a change on this node does not take a read started before it', async () => {
    const activity = new QueueActivity();
    const figures = new QueueFigures<number>(activity, () => 0);
    const reads = manualReads();
    const before = figures.get('t', 'q', 'ewt', reads.read);
    activity.touched('t', 'q');
    const after = figures.get('t', 'q', 'ewt', reads.read);
    expect(reads.started()).toBe(2);
    // The later read finishes first.
    reads.finish(1, 2);
    expect(await after).toBe(2);
    reads.finish(0, 1);
    expect(await before).toBe(1);
    // The later read is what is remembered for the queue as it is now.
    const again = figures.get('t', 'q', 'ewt', reads.read);
    expect(reads.started()).toBe(2);
    expect(await again).toBe(2);
  });

  it('a figure is read once while its queue does not change, until the safety age', async () => {
    const activity = new QueueActivity();
    let now = 0;
    const figures = new QueueFigures<number>(activity, () => now);
    let reads = 0;
    const read = async () => ++reads;
    for (; now < FIGURE_MAX_AGE_MS; now += FIGURE_MAX_AGE_MS / 10) {
      expect(await figures.get('t', 'q', 'ewt', read)).toBe(1);
    }
    expect(await figures.get('t', 'q', 'ewt', read)).toBe(2);
  });

  it("another node's change of the queue makes the next answer recount it, and only it", async () => {
    const activity = new QueueActivity();
    const figures = new QueueFigures<number>(activity, () => 0);
    let reads = 0;
    const read = async () => ++reads;
    await figures.get('t', 'q', 'ewt', read);
    await figures.get('t', 'other', 'ewt', read);
    activity.heardChanged([{ tenantId: 't', serviceName: 'q' }]);
    expect(await figures.get('t', 'q', 'ewt', read)).toBe(3);
    expect(await figures.get('t', 'other', 'ewt', read)).toBe(2);
    // News that may have been missed (a lost connection): every queue is recounted.
    activity.heardNothingFor();
    expect(await figures.get('t', 'other', 'ewt', read)).toBe(4);
    expect(reads).toBe(4);
  });

  describe('once a figure is older than maxAgeMs', () => {
    const MAX_AGE = 1_000;
    const PATIENCE = 20;
    const setup = async () => {
      const activity = new QueueActivity();
      let now = 0;
      const figures = new QueueFigures<number>(
        activity,
        () => now,
        undefined,
        MAX_AGE,
        undefined,
        PATIENCE,
      );
      const reads = manualReads();
      const first = figures.get('t', 'q', 'ewt', reads.read);
      reads.finish(0, 1);
      expect(await first).toBe(1);
      now = MAX_AGE;
      const at = (ms: number) => (now = ms);
      return { activity, figures, reads, at };
    };

    it('answers with a fresh figure read in time', async () => {
      const { figures, reads } = await setup();
      const asked = figures.get('t', 'q', 'ewt', reads.read);
      expect(reads.started()).toBe(2);
      reads.finish(1, 2);
      expect(await asked).toBe(2);
    });

    it('answers with the figure it had when the fresh read takes longer, and remembers the fresh one', async () => {
      const { figures, reads } = await setup();
      const started = performance.now();
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(PATIENCE - 1);
      // Still reading: a second answer joins that read and also gets the figure it had.
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(1);
      expect(reads.started()).toBe(2);
      reads.finish(1, 2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(2);
      expect(reads.started()).toBe(2);
    });

    it('while a bulk change of the queue runs on this node, keeps the figure from before it', async () => {
      const { activity, figures, reads } = await setup();
      activity.bulkChangeBegins('t', 'q');
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(1);
      expect(await figures.get('t', 'q', 'other', async () => 7)).toBe(7);
      expect(reads.started()).toBe(1);
      // Another queue's figures still age.
      figures.get('t', 'q2', 'ewt', reads.read).catch(() => undefined);
      expect(reads.started()).toBe(2);
    });

    it('once the bulk change ends, recounts, answering with the figure it had meanwhile', async () => {
      const { activity, figures, reads } = await setup();
      activity.bulkChangeBegins('t', 'q');
      activity.bulkChangeEnds('t', 'q');
      const started = performance.now();
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(PATIENCE - 1);
      expect(reads.started()).toBe(2);
      reads.finish(1, 0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(0);
      expect(reads.started()).toBe(2);
    });

    it('while another node runs a bulk change of the queue, keeps the figure until it ends', async () => {
      const { activity, figures, reads } = await setup();
      activity.heard({ phase: 'begins', tenantId: 't', serviceName: 'q' }, MAX_AGE);
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(1);
      expect(reads.started()).toBe(1);
      activity.heard({ phase: 'ends', tenantId: 't', serviceName: 'q' }, MAX_AGE);
      figures.get('t', 'q', 'ewt', reads.read).catch(() => undefined);
      expect(reads.started()).toBe(2);
    });

    it('a bulk change heard of but never ended holds the figure only until the hold runs out', async () => {
      const { activity, figures, reads, at } = await setup();
      activity.heard({ phase: 'begins', tenantId: 't', serviceName: 'q' }, MAX_AGE);
      at(MAX_AGE + BULK_CHANGE_HEARD_HOLD_MS - 1);
      expect(await figures.get('t', 'q', 'ewt', reads.read)).toBe(1);
      expect(reads.started()).toBe(1);
      at(MAX_AGE + BULK_CHANGE_HEARD_HOLD_MS);
      figures.get('t', 'q', 'ewt', reads.read).catch(() => undefined);
      expect(reads.started()).toBe(2);
    });

    it('after a change on this node, waits for the fresh figure however long it takes', async () => {
      const { activity, figures, reads } = await setup();
      activity.touched('t', 'q');
      let answered: number | undefined;
      const asked = figures.get('t', 'q', 'ewt', reads.read).then((v) => (answered = v));
      await new Promise((resolve) => setTimeout(resolve, PATIENCE * 3));
      expect(answered).toBeUndefined();
      reads.finish(1, 2);
      await asked;
      expect(answered).toBe(2);
    });
  });

  describe('bulk changes told to the other nodes', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    const announcing = () => {
      vi.useFakeTimers();
      const told: BulkChangeNews[] = [];
      const activity = new QueueActivity({
        bulk: (news) => told.push(news),
        changed: () => undefined,
      });
      return { told, activity };
    };
    const news = (phase: BulkChangeNews['phase'], serviceName = 'q') => ({
      phase,
      tenantId: 't',
      serviceName,
    });

    it('tells when one begins, that it goes on, and when it ends', () => {
      const { told, activity } = announcing();
      activity.bulkChangeBegins('t', 'q');
      expect(told).toEqual([news('begins')]);
      vi.advanceTimersByTime(BULK_CHANGE_ANNOUNCE_MS * 2);
      expect(told).toEqual([news('begins'), news('begins'), news('begins')]);
      activity.bulkChangeEnds('t', 'q');
      expect(told.at(-1)).toEqual(news('ends'));
      vi.advanceTimersByTime(BULK_CHANGE_ANNOUNCE_MS * 2);
      expect(told).toHaveLength(4);
    });

    it('tells of the queues changed here in one batch, each once', () => {
      vi.useFakeTimers();
      const told: ChangedQueue[][] = [];
      const activity = new QueueActivity({
        bulk: () => undefined,
        changed: (queues) => told.push([...queues]),
      });
      activity.touched('t', 'q');
      activity.touched('t', 'q');
      activity.touched('t', 'other');
      vi.advanceTimersByTime(CHANGES_ANNOUNCE_MS - 1);
      expect(told).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(told).toEqual([
        [
          { tenantId: 't', serviceName: 'q' },
          { tenantId: 't', serviceName: 'other' },
        ],
      ]);
      vi.advanceTimersByTime(CHANGES_ANNOUNCE_MS * 5);
      expect(told).toHaveLength(1);
    });

    it('tells of overlapping bulk changes of a queue as one, ending with the last', () => {
      const { told, activity } = announcing();
      activity.bulkChangeBegins('t', 'q');
      activity.bulkChangeBegins('t', 'q');
      activity.bulkChangeBegins('t', 'other');
      expect(told).toEqual([news('begins'), news('begins', 'other')]);
      activity.bulkChangeEnds('t', 'q');
      expect(told).toHaveLength(2);
      expect(activity.stamp('t', 'q', 0).inBulkChange).toBe(true);
      activity.bulkChangeEnds('t', 'q');
      expect(told.at(-1)).toEqual(news('ends'));
      expect(activity.stamp('t', 'q', 0).inBulkChange).toBe(false);
      expect(activity.stamp('t', 'other', 0).inBulkChange).toBe(true);
    });
  });
});
