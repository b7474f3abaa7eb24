import crypto from 'node:crypto';
import {
  DEFAULT_RATE_LIMITS,
  effectiveRateLimits,
  parseRateLimits,
  retryAfterSeconds,
  windowStart,
  type Limit,
  type RateLimits,
  type RouteClass,
} from '../domain/rate-limits.js';
import type { Store } from '../store/index.js';
import type { CounterCount, CounterHits } from '../store/repos/rate-limits.js';
import type { Clock } from '../infra/clock.js';
import type { Invalidation } from '../infra/invalidation.js';
import { TtlCache } from '../infra/ttl-cache.js';
import { errorContext, silentLogger, type Logger } from '../log.js';

/** One Engagement request, as the limits see it. */
export interface RateRequest {
  tenantId: string;
  keyId: string;
  ip: string;
  routeClass: RouteClass;
  /** The customer's number on a booking, when it has one. */
  phoneNumber?: string | undefined;
}

/** A refusal: which limit, and when to try again. */
export interface RateRefusal {
  scope: 'perKey' | 'perIp' | 'perPhoneNumber';
  limit: Limit;
  retryAfterSeconds: number;
}

const SETTINGS_CACHE_MS = 30_000;
const PURGE_EVERY_MS = 60_000;
const MAX_LOCAL_BUCKETS = 100_000;
/** How long hits admitted on this node may wait before they are written (PostgreSQL). */
export const FLUSH_EVERY_MS = 15;
/** How often the shared counts of ended windows are forgotten (and whenever they are too many). */
const SWEEP_EVERY_MS = 1_000;

/** One request in a bucket's window. */
interface CounterHit {
  bucket: string;
  windowStart: number;
  expiresAt: number;
}

interface Counted {
  scope: RateRefusal['scope'];
  limit: Limit;
  hit: CounterHit;
}

/** A shared bucket's window as this node sees it (PostgreSQL). */
interface SharedCount {
  hit: CounterHit;
  /** The count in the database at its last answer. */
  known: number;
  /** Hits admitted here and not yet written. */
  pending: number;
  /** Hits being written, counted until the database's answer includes them. */
  writing: number;
}

/**
 * The part of a limit that a node does not admit on its own: from `max − headroom` on every request
 * is counted in the database first, so the refusals near the limit are exact. A tenth of the limit,
 * and at least 50: limits up to 50 (bookings per number, matching per address) are counted exactly
 * on every node, and so is the last stretch of any limit; that costs at most ~50 upserts of a row
 * per window, where the lock queue came from thousands a second on one key's row.
 */
const headroom = (max: number) => Math.max(50, Math.ceil(max / 10));

// Numbers are personal data: buckets name a digest of the digits, never the number.
const numberDigest = (phone: string) =>
  crypto.createHash('sha256').update(phone.replace(/\D/g, '')).digest('base64url').slice(0, 22);

/**
 * Engagement API rate limits. Where writes hold the one process (SQLite) the counts live in
 * memory, which is exact since there is one node. Where the store is shared by several nodes
 * (PostgreSQL) the counts are kept there, but a request is not written on its own while its
 * buckets are well below their limits (every visitor of a site shares its key's row, and an upsert
 * per request queued them all on its lock): it is admitted here and written within FLUSH_EVERY_MS
 * in one upsert with the other pending hits. From `max − headroom` on, each request is counted in
 * the database before it is answered, as every one was before.
 *
 * Overshoot: one node alone is exact. A node admits on its own only while the database's last
 * count plus its own unwritten hits stay at or below `max − headroom`, so with several nodes the
 * admitted total passes `max` only when the others count more than `headroom` between two of its
 * answers from the database (a flush is FLUSH_EVERY_MS and a round trip): by at most what each
 * other node has admitted and not yet written, which is what it admits between two flushes and
 * never more than `max − headroom`.
 *
 * Either way a bucket known to be over its limit refuses at once on this node until its window
 * ends, so a flood costs no writes.
 */
export class RateLimitService {
  private readonly settings = new TtlCache<RateLimits>(SETTINGS_CACHE_MS);
  /** Buckets over their limit: bucket → end of the window. */
  private readonly blocked = new Map<string, number>();
  /** In-process counts (SQLite): bucket → window and hits. */
  private readonly local = new Map<string, { windowStart: number; hits: number }>();
  /** Shared counts (PostgreSQL): bucket and window → what this node knows and holds. */
  private readonly counts = new Map<string, SharedCount>();
  /** The shared counts with hits pending: what the next flush writes. */
  private readonly dirty = new Set<SharedCount>();
  private readonly shared: boolean;
  private nextPurgeAt = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private flushFailed = false;
  private closed = false;
  private nextSweepAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly enabled: boolean,
    invalidation: Invalidation,
    private readonly log: Logger = silentLogger,
  ) {
    this.shared = !store.db.caps.synchronous;
    invalidation.on('tenant-settings', () => this.settings.clear());
  }

  /** The limits in force for a tenant (its `rateLimits` over the defaults). */
  limitsFor(tenantId: string): Promise<RateLimits> {
    return this.settings.getOrLoad(tenantId, this.clock.now(), async () => {
      const doc = await this.store.credentials.tenantSettings(tenantId);
      if (doc.rateLimits === undefined) return DEFAULT_RATE_LIMITS;
      try {
        return effectiveRateLimits(parseRateLimits(doc.rateLimits));
      } catch {
        // Validated when applied; a document edited by hand falls back to the defaults.
        return DEFAULT_RATE_LIMITS;
      }
    });
  }

  /** Counts the request; a refusal when it is over one of its limits, else undefined. */
  async check(req: RateRequest): Promise<RateRefusal | undefined> {
    if (!this.enabled) return undefined;
    const now = this.clock.now();
    const limits = (await this.limitsFor(req.tenantId))[req.routeClass];
    const who = {
      perKey: req.keyId,
      perIp: req.ip,
      perPhoneNumber: req.phoneNumber === undefined ? undefined : numberDigest(req.phoneNumber),
    };
    const counted: Counted[] = [];
    for (const scope of ['perKey', 'perIp', 'perPhoneNumber'] as const) {
      const limit = limits[scope];
      const id = who[scope];
      if (limit === undefined || id === undefined) continue;
      const start = windowStart(limit, now);
      const bucket = `${req.tenantId}:${scope}:${req.routeClass}:${limit.windowSeconds}:${id}`;
      const blockedUntil = this.blocked.get(bucket);
      if (blockedUntil !== undefined) {
        if (blockedUntil > now) return refusal(scope, limit, now);
        this.blocked.delete(bucket);
      }
      const expiresAt = start + limit.windowSeconds * 1000;
      counted.push({ scope, limit, hit: { bucket, windowStart: start, expiresAt } });
    }
    if (counted.length === 0) return undefined;
    const hits = this.shared ? await this.countShared(counted, now) : this.countLocal(counted, now);
    let worst: RateRefusal | undefined;
    for (const c of counted) {
      if ((hits.get(c.hit.bucket) ?? 0) <= c.limit.max) continue;
      this.block(c.hit.bucket, c.hit.expiresAt);
      const r = refusal(c.scope, c.limit, now);
      if (worst === undefined || r.retryAfterSeconds > worst.retryAfterSeconds) worst = r;
    }
    return worst;
  }

  /** Writes the hits admitted here and not yet written; the service's close path calls it. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flush();
  }

  private async countShared(counted: Counted[], now: number): Promise<Map<string, number>> {
    if (now >= this.nextPurgeAt) {
      this.nextPurgeAt = now + PURGE_EVERY_MS;
      // Housekeeping off the request's path; a failure only leaves rows for the next turn.
      this.store.rateLimits.purgeExpired(now).catch(() => undefined);
    }
    const entries = counted.map((c) => this.sharedCount(c.hit, now));
    const out = new Map<string, number>();
    const local = counted.every((c, i) => {
      const e = entries[i];
      return (
        e !== undefined &&
        e.known + e.writing + e.pending + 1 <= c.limit.max - headroom(c.limit.max)
      );
    });
    if (local) {
      for (const e of entries) {
        if (e === undefined) continue;
        e.pending += 1;
        this.dirty.add(e);
        out.set(e.hit.bucket, e.known + e.writing + e.pending);
      }
      this.scheduleFlush();
      return out;
    }
    // Near a limit: this request and its buckets' pending hits are counted now, and the answer
    // decides. A flush under way is waited for, so that the answer includes this node's hits.
    if (this.flushing !== undefined && entries.some((e) => e !== undefined && e.writing > 0)) {
      await this.flushing;
    }
    const rows = await this.write(
      counted.map((c, i) => ({ hit: c.hit, entry: entries[i], extra: 1 })),
    );
    for (const r of rows) out.set(r.bucket, r.hits);
    return out;
  }

  /** The bucket window's shared count, created when there is room (else undefined: exact path). */
  private sharedCount(hit: CounterHit, now: number): SharedCount | undefined {
    const key = `${hit.bucket}\n${hit.windowStart}`;
    const entry = this.counts.get(key);
    if (entry !== undefined) return entry;
    if (this.counts.size >= MAX_LOCAL_BUCKETS) this.dropEnded(now);
    if (this.counts.size >= MAX_LOCAL_BUCKETS) return undefined;
    const created: SharedCount = { hit, known: 0, pending: 0, writing: 0 };
    this.counts.set(key, created);
    return created;
  }

  /** Forgets the windows that ended and hold nothing unwritten. */
  private dropEnded(now: number): void {
    for (const [key, e] of this.counts) {
      if (e.hit.expiresAt <= now && e.pending === 0 && e.writing === 0) this.counts.delete(key);
    }
  }

  /**
   * Adds the entries' pending hits (and `extra` each) to the database in one upsert and learns
   * the counts from its answer. Hits admitted meanwhile stay pending; on a failure the pending
   * ones are pending again, for the next flush.
   */
  private async write(
    items: readonly { hit: CounterHit; entry: SharedCount | undefined; extra: number }[],
  ): Promise<CounterCount[]> {
    const taken = items.map(({ entry }) => {
      const n = entry?.pending ?? 0;
      if (entry !== undefined) {
        entry.pending -= n;
        entry.writing += n;
      }
      return n;
    });
    const hits: CounterHits[] = items.map(({ hit, extra }, i) => ({
      ...hit,
      hits: (taken[i] ?? 0) + extra,
    }));
    let rows: CounterCount[];
    try {
      rows = await this.store.rateLimits.add(hits);
    } catch (err) {
      items.forEach(({ entry }, i) => {
        const n = taken[i] ?? 0;
        if (entry === undefined || n === 0) return;
        entry.writing -= n;
        entry.pending += n;
        this.dirty.add(entry);
      });
      if (!this.closed) this.scheduleFlush();
      throw err;
    }
    const answered = new Map(rows.map((r) => [`${r.bucket}\n${r.windowStart}`, r.hits]));
    items.forEach(({ hit, entry }, i) => {
      if (entry === undefined) return;
      entry.writing -= taken[i] ?? 0;
      // Answers may come back out of order; a window's count only grows.
      const count = answered.get(`${hit.bucket}\n${hit.windowStart}`) ?? 0;
      entry.known = Math.max(entry.known, count);
    });
    return rows;
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_EVERY_MS);
    this.flushTimer.unref();
  }

  /** Writes every pending hit in one upsert, after the flush under way if there is one. */
  private async flush(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    this.flushing = this.flushPending().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  private async flushPending(): Promise<void> {
    const entries = [...this.dirty].filter((e) => e.pending > 0);
    this.dirty.clear();
    try {
      await this.write(entries.map((entry) => ({ hit: entry.hit, entry, extra: 0 })));
      this.flushFailed = false;
    } catch (err) {
      // Kept pending for the next flush: a count is never dropped because the database failed.
      if (!this.flushFailed) {
        this.log.warn(
          { ...errorContext(err), buckets: entries.length },
          'writing rate-limit counts failed',
        );
      }
      this.flushFailed = true;
    }
    const now = this.clock.now();
    if (now >= this.nextSweepAt) {
      this.nextSweepAt = now + SWEEP_EVERY_MS;
      this.dropEnded(now);
    }
  }

  private countLocal(counted: Counted[], now: number): Map<string, number> {
    if (this.local.size >= MAX_LOCAL_BUCKETS) {
      for (const [bucket, entry] of this.local) {
        if (entry.windowStart + DAY_MS < now) this.local.delete(bucket);
      }
      // Still full of live windows (a flood of distinct addresses): forget the oldest half.
      if (this.local.size >= MAX_LOCAL_BUCKETS) {
        let drop = this.local.size / 2;
        for (const bucket of this.local.keys()) {
          if (drop-- <= 0) break;
          this.local.delete(bucket);
        }
      }
    }
    const out = new Map<string, number>();
    for (const { hit } of counted) {
      const entry = this.local.get(hit.bucket);
      if (entry === undefined || entry.windowStart !== hit.windowStart) {
        this.local.set(hit.bucket, { windowStart: hit.windowStart, hits: 1 });
        out.set(hit.bucket, 1);
      } else {
        entry.hits += 1;
        out.set(hit.bucket, entry.hits);
      }
    }
    return out;
  }

  private block(bucket: string, until: number): void {
    if (this.blocked.size >= MAX_LOCAL_BUCKETS) this.blocked.clear();
    this.blocked.set(bucket, until);
  }
}

const DAY_MS = 86_400_000;

function refusal(scope: RateRefusal['scope'], limit: Limit, now: number): RateRefusal {
  return { scope, limit, retryAfterSeconds: retryAfterSeconds(limit, now) };
}
