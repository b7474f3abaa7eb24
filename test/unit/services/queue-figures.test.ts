import { describe, expect, it } from 'vitest';
import { QueueActivity, QueueFigures } from '../../../src/services/callback-events.js';

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
});
