import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../../src/infra/byte-lru.js';
import { AnswerMemo } from '../../../src/infra/answer-memo.js';

/** An LRU of strings costing their length, recording what it evicts. */
function lru(budget: number) {
  const evicted: string[] = [];
  const cache = new ByteLru<string, string>(
    budget,
    (value) => value.length,
    (key) => evicted.push(key),
  );
  return { cache, evicted };
}

describe('ByteLru', () => {
  it('evicts the least recently used first once the budget is exceeded', () => {
    const { cache, evicted } = lru(10);
    cache.set('a', 'xxx');
    cache.set('b', 'xxx');
    cache.set('c', 'xxx');
    // Reading a makes b the least recently used.
    expect(cache.get('a')).toBe('xxx');
    cache.set('d', 'xxx');
    expect(evicted).toEqual(['b']);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe('xxx');
    cache.set('e', 'xxxxxx');
    expect(evicted).toEqual(['b', 'a', 'd']);
    expect(cache.bytes).toBe(9);
  });

  it('never holds more than its budget, whatever is put in', () => {
    const { cache } = lru(1_000);
    for (let i = 0; i < 10_000; i++) {
      cache.set(`k${i % 700}`, 'x'.repeat((i * 37) % 90));
      expect(cache.bytes).toBeLessThanOrEqual(1_000);
    }
    let sum = 0;
    for (let i = 0; i < 700; i++) sum += cache.peek(`k${i}`)?.length ?? 0;
    expect(sum).toBe(cache.bytes);
  });

  it('does not remember a value larger than the whole budget, and replaces in place', () => {
    const { cache, evicted } = lru(5);
    cache.set('a', 'xx');
    cache.set('big', 'xxxxxxx');
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')).toBe('xx');
    cache.set('a', 'xxxx');
    expect(cache.bytes).toBe(4);
    expect(evicted).toEqual(['a']);
  });

  it('peek does not count as a use', () => {
    const { cache, evicted } = lru(6);
    cache.set('a', 'xxx');
    cache.set('b', 'xxx');
    cache.peek('a');
    cache.set('c', 'xxx');
    expect(evicted).toEqual(['a']);
  });
});

describe('AnswerMemo within its budget', () => {
  it('serves an answer again only for the same pair of objects, and drops the least recently served', () => {
    const memo = new AnswerMemo<object, object, string>(8, (v) => v.length);
    const settings = {};
    const counts = {};
    let computed = 0;
    const answer = (a: object, b: object, key: string) =>
      memo.get(a, b, key, () => {
        computed++;
        return 'xxxx';
      });
    answer(settings, counts, 'week');
    answer(settings, counts, 'week');
    expect(computed).toBe(1);
    // New counts (a booking): a new answer.
    answer(settings, {}, 'week');
    expect(computed).toBe(2);
    // A third answer goes beyond 8 bytes: the least recently served one goes.
    answer(settings, counts, 'day');
    answer(settings, counts, 'week');
    expect(computed).toBe(4);
  });
});
