import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../src/infra/ttl-cache.js';

/** A load the test finishes when it wants, counting how often it was started. */
function controlledLoads() {
  const finishers: ((value: string) => void)[] = [];
  let started = 0;
  const load = () => {
    started++;
    return new Promise<string>((resolve) => finishers.push(resolve));
  };
  return {
    load,
    started: () => started,
    finish: (i: number, value: string) => finishers[i]?.(value),
  };
}

describe('TtlCache.getOrLoad', () => {
  it('loads an expired entry once for every caller waiting on it', async () => {
    const cache = new TtlCache<string>(1_000);
    const loads = controlledLoads();
    const callers = Array.from({ length: 5 }, () => cache.getOrLoad('q', 0, loads.load));
    expect(loads.started()).toBe(1);
    loads.finish(0, 'v1');
    expect(await Promise.all(callers)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    expect(cache.get('q', 999)).toBe('v1');
  });

  it('after a change, loads anew and does not keep what the older load read', async () => {
    const cache = new TtlCache<string>(1_000);
    const loads = controlledLoads();
    const before = cache.getOrLoad('q', 0, loads.load);
    cache.delete('q'); // the queue changed while it was being read
    const after = cache.getOrLoad('q', 0, loads.load);
    expect(loads.started()).toBe(2);
    loads.finish(1, 'new');
    loads.finish(0, 'old');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
    expect(cache.get('q', 1)).toBe('new');
  });

  it('keeps nothing from a failed load, and the next call loads again', async () => {
    const cache = new TtlCache<string>(1_000);
    await expect(
      cache.getOrLoad('q', 0, () => Promise.reject(new Error('database gone'))),
    ).rejects.toThrow('database gone');
    expect(await cache.getOrLoad('q', 0, async () => 'back')).toBe('back');
  });
});
