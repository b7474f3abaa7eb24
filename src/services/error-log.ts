import type { ErrorDetail } from '../http/schemas/errors-log.js';
import type { Store } from '../store/index.js';
import type { ErrorFilter, ErrorLogRow } from '../store/repos/logs.js';
import { newId } from '../security/tokens.js';
import type { Clock } from '../infra/clock.js';

/** One Engagement API error response, as the HTTP layer saw it. */
export interface ErrorRecord {
  tenantId: string;
  corrId: string;
  method: string;
  url: string;
  httpStatus: number;
  code: number;
  message: string;
  requestHeaders: Record<string, unknown>;
  requestBody: unknown;
  responseBody: unknown;
  /** For a failure without a valid key: the presented key's prefix, matching a key of the tenant. */
  keyPrefix?: string;
}

const REDACTED = '[REDACTED]';
// Header and field names whose values are secrets or personal data: never stored.
const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'cookie', 'set-cookie']);
const SECRET_FIELDS =
  /^(userData|captchaToken|password|secret|secretKey|clientSecret|privateKey|private_key|serviceAccount|key|token|apiKey|accessCode)$/i;

// Deeper than any request of ours; bounds the recursion whatever reaches the log.
const MAX_DEPTH = 32;

/** Replaces secrets and userData in a request body or header map, at any depth. */
export function redact(value: unknown, isHeaders = false, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TOO DEEP]';
  if (Array.isArray(value)) return value.map((v) => redact(v, false, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const secret = isHeaders ? SECRET_HEADERS.has(k.toLowerCase()) : SECRET_FIELDS.test(k);
    out[k] = secret ? REDACTED : redact(v, false, depth + 1);
  }
  return out;
}

// Trimming after every insert would double the writes of an error flood; trimming every tenth of
// the cap (at most every 500) keeps a tenant's log within 110% of its cap on each node.
/** The list view of one logged error. */
function summary(r: ErrorLogRow) {
  return {
    id: r.id,
    corrId: r.corr_id,
    method: r.method,
    url: r.url,
    statusCode: r.http_status,
    code: r.code,
    message: r.message,
    timestamp: new Date(r.created_at).toISOString(),
    // Present only on failures that carried no valid key (see recordUnauthenticated).
    ...(r.key_prefix === null ? {} : { keyPrefix: r.key_prefix }),
  };
}

const PRUNE_EVERY_AT_MOST = 500;

/** The per-tenant log of Engagement API errors shown in the console's Developer tab. */
export class ErrorLogService {
  private sinceLastPrune = new Map<string, number>();
  /** Failures this node answered without a valid key, by what was presented. */
  readonly unauthenticated = { missingKey: 0, unknownKey: 0, knownPrefix: 0 };
  private readonly pruneEvery: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly retentionMs: number,
    private readonly maxPerTenant: number,
  ) {
    this.pruneEvery = Math.max(1, Math.min(PRUNE_EVERY_AT_MOST, Math.floor(maxPerTenant / 10)));
  }

  /** Stores one error, redacted; every so often, trims the tenant's log to its bounds. */
  async record(error: ErrorRecord): Promise<void> {
    const now = this.clock.now();
    await this.store.logs.insertError({
      id: newId('err', now),
      tenant_id: error.tenantId,
      corr_id: error.corrId,
      method: error.method,
      url: error.url,
      http_status: error.httpStatus,
      code: error.code,
      message: error.message,
      request: JSON.stringify({
        headers: redact(error.requestHeaders, true),
        body: redact(error.requestBody),
      }),
      response: JSON.stringify(error.responseBody),
      created_at: now,
      key_prefix: error.keyPrefix ?? null,
    });
    const count = (this.sinceLastPrune.get(error.tenantId) ?? 0) + 1;
    this.sinceLastPrune.set(error.tenantId, count);
    if (count >= this.pruneEvery) {
      this.sinceLastPrune.set(error.tenantId, 0);
      await this.prune(error.tenantId);
    }
  }

  /**
   * A failure that carried no valid key. Anyone can send one with any Origin and correlation ID,
   * so it is only counted, unless the presented key's public prefix is that of a key of a tenant
   * (a revoked key, or a key pasted with a typo): then that tenant's developers see it, marked
   * with the prefix. Writing keyless failures into a log chosen by Origin let anyone fill it.
   */
  async recordUnauthenticated(
    error: Omit<ErrorRecord, 'tenantId' | 'keyPrefix'>,
    presented: { prefix: string; tenants: string[] } | undefined,
  ): Promise<void> {
    if (presented === undefined) {
      this.unauthenticated.missingKey++;
      return;
    }
    if (presented.tenants.length === 0) {
      this.unauthenticated.unknownKey++;
      return;
    }
    this.unauthenticated.knownPrefix++;
    for (const tenantId of presented.tenants) {
      await this.record({ ...error, tenantId, keyPrefix: presented.prefix });
    }
  }

  /** Applies the age and count bounds to one tenant's log. */
  prune(tenantId: string): Promise<number> {
    return this.store.logs.pruneErrors(
      tenantId,
      this.clock.now() - this.retentionMs,
      this.maxPerTenant,
    );
  }

  /** Applies the bounds to every tenant's log. */
  async pruneAll(): Promise<number> {
    let removed = 0;
    for (const tenantId of await this.store.logs.tenantsWithErrors()) {
      removed += await this.prune(tenantId);
    }
    return removed;
  }

  /** A page of a tenant's errors, newest first, narrowed by the filter. */
  async list(tenantId: string, query: { limit: number; before?: string } & ErrorFilter) {
    const rows = await this.store.logs.listErrors(tenantId, query);
    return {
      items: rows.map(summary),
      nextBefore: rows.length === query.limit ? rows[rows.length - 1]?.id : undefined,
    };
  }

  /** One error with its redacted request and response, or undefined. */
  async get(tenantId: string, id: string): Promise<ErrorDetail | undefined> {
    const r = await this.store.logs.getError(tenantId, id);
    if (!r) return undefined;
    return {
      ...summary(r),
      // Written by record() above: the redacted headers and body.
      request: JSON.parse(r.request) as ErrorDetail['request'],
      response: JSON.parse(r.response) as unknown,
    };
  }
}
