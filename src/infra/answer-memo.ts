import { ByteLru } from './byte-lru.js';

/**
 * Answers derived from two remembered objects (a queue's settings and its booked counts), served
 * exactly as long as both are the ones asked with: changed settings or changed counts are new
 * objects, so the answers of the old ones are never served again. The answers of all queues share
 * one byte budget, the least recently served going first: at thousands of queues, a week's slot
 * grid per queue (and what is remembered of it, encoded, beside it) would not fit in memory.
 */
export class AnswerMemo<A extends object, B extends object, V> {
  // Each pair of objects gets a number: the budget's keys are strings, and a pair's answers are
  // no longer reachable once either object is gone (they then wait for the budget to drop them).
  private readonly pairs = new WeakMap<A, WeakMap<B, number>>();
  private nextPair = 0;
  private readonly answers: ByteLru<string, V>;

  constructor(budgetBytes: number, sizeOf: (value: V) => number) {
    this.answers = new ByteLru(budgetBytes, sizeOf);
  }

  /** The answer remembered for (a, b, key), or a fresh one from `compute`. */
  get(a: A, b: B, key: string, compute: () => V): V {
    let bySecond = this.pairs.get(a);
    if (!bySecond) {
      bySecond = new WeakMap();
      this.pairs.set(a, bySecond);
    }
    let pair = bySecond.get(b);
    if (pair === undefined) {
      pair = this.nextPair++;
      bySecond.set(b, pair);
    }
    const id = `${pair} ${key}`;
    const known = this.answers.get(id);
    if (known !== undefined) return known;
    const value = compute();
    this.answers.set(id, value);
    return value;
  }
}
