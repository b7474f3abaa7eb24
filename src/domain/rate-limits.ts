import { AppError } from './errors.js';

/**
 * Request rate limits of the Engagement API. Each limit counts requests in fixed windows
 * (`max` per `windowSeconds`), per API key, per client IP and, on bookings, per phone number.
 */
export interface Limit {
  max: number;
  windowSeconds: number;
}

/** The kinds of Engagement request, each with its own limits. */
export type RouteClass = 'default' | 'create' | 'match';

/** Limits of one route class; an absent limit is not enforced. */
export interface ClassLimits {
  perKey?: Limit | undefined;
  perIp?: Limit | undefined;
  perPhoneNumber?: Limit | undefined;
}

export type RateLimits = Record<RouteClass, ClassLimits>;

const per = (max: number, windowSeconds: number): Limit => ({ max, windowSeconds });

/**
 * Defaults. A browser key is shared by every visitor of a site, so the per-key limits are wide and
 * the per-IP ones do the work. Bookings: a person books a handful at most; 30 a minute from one
 * address still lets an office behind one NAT book, while 20 bogus bookings can no longer fill a
 * queue from one address in seconds, and 5 an hour per number stops one victim's phone from being
 * flooded from many addresses. Matching is an IVR's work (one call, one match): 120 a minute per key
 * and 20 a minute per address make guessing a 3-digit access code take far longer than it lives.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  default: { perKey: per(6000, 60), perIp: per(600, 60) },
  create: { perKey: per(600, 60), perIp: per(30, 60), perPhoneNumber: per(5, 3600) },
  match: { perKey: per(120, 60), perIp: per(20, 60) },
};

/** The route class of an Engagement route (its path inside /engagement/v3) and method. */
export function routeClassOf(method: string, path: string): RouteClass {
  if (method !== 'POST') return 'default';
  if (path.endsWith('/callbacks/create') || path.endsWith('/call-in/requests/create')) {
    return 'create';
  }
  if (path.endsWith('/call-in/requests/match')) return 'match';
  return 'default';
}

/** The start of the fixed window of `limit` that holds `nowMs`. */
export function windowStart(limit: Limit, nowMs: number): number {
  const size = limit.windowSeconds * 1000;
  return Math.floor(nowMs / size) * size;
}

/** Whole seconds until the window holding `nowMs` ends (at least 1), for `Retry-After`. */
export function retryAfterSeconds(limit: Limit, nowMs: number): number {
  const end = windowStart(limit, nowMs) + limit.windowSeconds * 1000;
  return Math.max(1, Math.ceil((end - nowMs) / 1000));
}

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86_400,
  day: 86_400,
};
const SPEC = /^\s*(\d{1,9})\s*\/\s*(\d{1,6})?\s*([a-z]+?)s?\s*$/;
const CLASSES: readonly RouteClass[] = ['default', 'create', 'match'];
const SCOPES = ['perKey', 'perIp', 'perPhoneNumber'] as const;

function fail(where: string, message: string): never {
  throw new AppError('INVALID_PARAMETER', `${where}: ${message}`);
}

/** Reads one limit written as `"30/min"`, `"5/hour"`, `"100/10s"`, or `off`. */
export function parseLimit(raw: unknown, where: string): Limit | undefined {
  if (raw === 'off' || raw === false) return undefined;
  const match = typeof raw === 'string' ? SPEC.exec(raw.toLowerCase()) : null;
  const unit = match?.[3] === undefined ? undefined : UNITS[match[3]];
  if (!match || unit === undefined) {
    fail(where, 'must be like "30/min", "5/hour", "100/10s" or "off"');
  }
  const max = Number(match[1]);
  const windowSeconds = Number(match[2] ?? 1) * unit;
  if (max < 1) fail(where, 'must allow at least 1 request (or be "off")');
  if (windowSeconds < 1 || windowSeconds > 86_400) fail(where, 'window must be 1 s to 1 day');
  return { max, windowSeconds };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a tenant's `rateLimits` (the tenant configuration's field), e.g.
 * `{create: {perIp: "10/min"}, match: {perKey: "off"}}`; what it leaves out keeps the default.
 */
export function parseRateLimits(raw: unknown, where = 'rateLimits'): Partial<RateLimits> {
  if (!isRecord(raw)) fail(where, 'must be an object of route classes (default, create, match)');
  const out: Partial<RateLimits> = {};
  for (const [cls, value] of Object.entries(raw)) {
    if (!(CLASSES as readonly string[]).includes(cls)) {
      fail(`${where}.${cls}`, 'unknown route class (use default, create or match)');
    }
    if (!isRecord(value)) fail(`${where}.${cls}`, 'must be an object of perKey, perIp…');
    const limits: ClassLimits = {};
    for (const [scope, spec] of Object.entries(value)) {
      if (!(SCOPES as readonly string[]).includes(scope)) {
        fail(`${where}.${cls}.${scope}`, 'unknown limit (use perKey, perIp or perPhoneNumber)');
      }
      limits[scope as (typeof SCOPES)[number]] = parseLimit(spec, `${where}.${cls}.${scope}`);
    }
    out[cls as RouteClass] = limits;
  }
  return out;
}

/** The limits in force for a tenant: its overrides over the defaults, limit by limit. */
export function effectiveRateLimits(
  overrides: Partial<RateLimits>,
  defaults: RateLimits = DEFAULT_RATE_LIMITS,
): RateLimits {
  const merged = {} as RateLimits;
  for (const cls of CLASSES) merged[cls] = { ...defaults[cls], ...overrides[cls] };
  return merged;
}

/** Writes limits back as the text `parseLimit` reads (for storage and display). */
export function formatRateLimits(limits: Partial<RateLimits>): Record<string, unknown> {
  const out: Record<string, Record<string, string>> = {};
  for (const cls of CLASSES) {
    const c = limits[cls];
    if (c === undefined) continue;
    const entry: Record<string, string> = {};
    for (const scope of SCOPES) {
      if (!(scope in c)) continue;
      const l = c[scope];
      entry[scope] = l === undefined ? 'off' : `${l.max}/${l.windowSeconds}s`;
    }
    out[cls] = entry;
  }
  return out;
}

/**
 * The client an address stands for in the per-address limits: an IPv4 address itself, an IPv6
 * address by its /64 (one subscriber's network, whose 2^64 addresses cost nothing to rotate).
 */
export function addressBucket(ip: string): string {
  const plain = ip.replace(/%.*$/, '').toLowerCase();
  if (plain.includes('.')) return plain.replace(/^::ffff:/, '');
  const [head = '', tail] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
