/**
 * Answers derived from two remembered objects (a queue's settings and its booked counts), kept
 * exactly as long as both are: changed settings or changed counts are new objects, so the answers
 * of the old ones are never served again and are collected with them.
 */
export class AnswerMemo<A extends object, B extends object, V> {
  private readonly byFirst = new WeakMap<A, WeakMap<B, Map<string, V>>>();

  constructor(private readonly limitPerPair = 64) {}

  /** The answer remembered for (a, b, key), or a fresh one from `compute`. */
  get(a: A, b: B, key: string, compute: () => V): V {
    let bySecond = this.byFirst.get(a);
    if (!bySecond) {
      bySecond = new WeakMap();
      this.byFirst.set(a, bySecond);
    }
    let answers = bySecond.get(b);
    if (!answers) {
      answers = new Map();
      bySecond.set(b, answers);
    }
    const known = answers.get(key);
    if (known !== undefined) return known;
    const value = compute();
    // Clients asking for ever new ranges would otherwise grow one pair's answers without bound.
    if (answers.size >= this.limitPerPair) answers.clear();
    answers.set(key, value);
    return value;
  }
}
