import { ByteLru } from './byte-lru.js';
import { queueKey, type QueueActivity, type QueueStamp } from './queue-activity.js';

/** What a remembered figure costs besides its value: the entry, its key and its stamp. */
const ENTRY_BYTES = 200;

/**
 * How long a figure is kept at most: every change is heard of (made here or announced by the node
 * that made it), so the age is only the safety net for news lost between nodes.
 */
export const FIGURE_MAX_AGE_MS = 30_000;

interface Figure<V> {
  version: number;
  outdated: number;
  at: number;
  value: V;
}

/**
 * Figures derived from a queue's callbacks (EWT, booked slots), remembered until the queue changes
 * (here, or on another node that tells of it) and for at most `maxAgeMs`; while a bulk change of
 * the queue runs on any node this node knows of, for as long as it runs. So a queue is recounted
 * when it changed, not every time it is polled. A figure must not depend on the time it was read
 * at: what changes with time alone is derived from it when answering. Once a figure is only out
 * of date (changed elsewhere, aged, or a bulk change has ended), an answer waits for the fresh
 * figure at most `patienceMs`, then takes the one it had: a recount in the middle of a bulk change
 * of the queue can take hundreds of milliseconds on PostgreSQL (bench/README.md), and nobody
 * should wait it.
 */
export class QueueFigures<V> {
  // Thousands of queues each polled by visitors: their figures stay within a byte budget, the
  // least recently asked for going first.
  private readonly entries: ByteLru<string, Figure<V>>;
  // Reads under way: on PostgreSQL many requests for a queue arrive while its figure is being
  // read, and each would otherwise run the same count.
  private readonly reading = new Map<string, { stamp: QueueStamp; value: Promise<V> }>();

  constructor(
    private readonly activity: QueueActivity,
    private readonly now: () => number,
    // A fresh figure equal to the remembered one keeps the remembered object, so whatever was
    // derived from that object (remembered by its identity) stays valid.
    private readonly same?: (a: V, b: V) => boolean,
    private readonly maxAgeMs = FIGURE_MAX_AGE_MS,
    memory: { budgetBytes: number; sizeOf: (value: V) => number } = {
      budgetBytes: 8 * 2 ** 20,
      sizeOf: () => 100,
    },
    private readonly patienceMs = 50,
  ) {
    this.entries = new ByteLru(
      memory.budgetBytes,
      (figure) => ENTRY_BYTES + memory.sizeOf(figure.value),
    );
  }

  /** The remembered figure for (queue, key), or a fresh one from `compute`. */
  async get(tenantId: string, serviceName: string, key: string, compute: () => Promise<V>) {
    const id = `${queueKey(tenantId, serviceName)}\u0000${key}`;
    const now = this.now();
    const stamp = this.activity.stamp(tenantId, serviceName, now);
    const hit = this.entries.get(id);
    const current = hit !== undefined && hit.version === stamp.version && now >= hit.at;
    const upToDate =
      current &&
      hit.outdated === stamp.outdated &&
      (stamp.inBulkChange || now - hit.at < this.maxAgeMs);
    if (upToDate) return hit.value;
    const fresh = this.fresh(id, stamp, now, compute);
    // After a change on this node only the fresh figure will do.
    return current ? within(fresh, this.patienceMs, hit.value) : fresh;
  }

  /** The read of (queue, key) under way for this state of the queue, or a new one. */
  private fresh(id: string, stamp: QueueStamp, now: number, compute: () => Promise<V>) {
    const running = this.reading.get(id);
    if (running?.stamp.version === stamp.version && running.stamp.outdated === stamp.outdated) {
      return running.value;
    }
    const value = this.read(id, stamp, now, compute);
    this.reading.set(id, { stamp, value });
    const done = () => {
      if (this.reading.get(id)?.value === value) this.reading.delete(id);
    };
    value.then(done, done);
    return value;
  }

  private async read(id: string, stamp: QueueStamp, now: number, compute: () => Promise<V>) {
    const fresh = await compute();
    const hit = this.entries.peek(id);
    // A read begun after a later change may have finished first: keep its figure.
    if (hit && (hit.version > stamp.version || hit.outdated > stamp.outdated)) return fresh;
    const value = hit && this.same?.(hit.value, fresh) === true ? hit.value : fresh;
    this.entries.set(id, { version: stamp.version, outdated: stamp.outdated, at: now, value });
    return value;
  }
}

/** `value` if it settles within `ms`, else `fallback`. */
function within<V>(value: Promise<V>, ms: number, fallback: V): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<V>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([value, late]).finally(() => clearTimeout(timer));
}
