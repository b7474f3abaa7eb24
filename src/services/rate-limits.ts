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
import type { CounterHit } from '../store/repos/rate-limits.js';
import type { Clock } from '../infra/clock.js';
import type { Invalidation } from '../infra/invalidation.js';
import { TtlCache } from '../infra/ttl-cache.js';

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

interface Counted {
  scope: RateRefusal['scope'];
  limit: Limit;
  hit: CounterHit;
}

// Numbers are personal data: buckets name a digest of the digits, never the number.
const numberDigest = (phone: string) =>
  crypto.createHash('sha256').update(phone.replace(/\D/g, '')).digest('base64url').slice(0, 22);

/**
 * Engagement API rate limits. Where the store is shared by several nodes (PostgreSQL) every
 * request is counted there in one upsert; where writes hold the one process (SQLite) the counts
 * live in memory, which is exact since there is one node. Either way a bucket known to be over
 * its limit refuses at once on this node until its window ends, so a flood costs no writes.
 */
export class RateLimitService {
  private readonly settings = new TtlCache<RateLimits>(SETTINGS_CACHE_MS);
  /** Buckets over their limit: bucket → end of the window. */
  private readonly blocked = new Map<string, number>();
  /** In-process counts (SQLite): bucket → window and hits. */
  private readonly local = new Map<string, { windowStart: number; hits: number }>();
  private readonly shared: boolean;
  private nextPurgeAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly enabled: boolean,
    invalidation: Invalidation,
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

  private async countShared(counted: Counted[], now: number): Promise<Map<string, number>> {
    if (now >= this.nextPurgeAt) {
      this.nextPurgeAt = now + PURGE_EVERY_MS;
      // Housekeeping off the request's path; a failure only leaves rows for the next turn.
      this.store.rateLimits.purgeExpired(now).catch(() => undefined);
    }
    return this.store.rateLimits.hit(counted.map((c) => c.hit));
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
