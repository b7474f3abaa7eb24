import os from 'node:os';
import path from 'node:path';
import { parseAllowList } from './integrations/address-guard.js';

/** Typed configuration of one node, read from the environment and validated at start-up. */
export interface Config {
  port: number;
  host: string;
  /** `sqlite` keeps data in `dataDir`; `postgres` uses `databaseUrl`. */
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  dataDir: string;
  logLevel: string;
  /** Declarative tenant configuration file or folder (YAML/JSON), if any. */
  tenantConfigPath: string | undefined;
  tenantConfigRefreshMinutes: number;
  /** Base64 32-byte master key for secrets at rest, and older ones still accepted. */
  masterKey: string | undefined;
  previousMasterKeys: string[];
  sessionIdleMinutes: number;
  /** Absolute lifetime of a console session, however active. */
  sessionMaxHours: number;
  errorLogRetentionDays: number;
  errorLogMaxPerTenant: number;
  /** Processes sharing the port (node:cluster), each a node of its own; 1 on SQLite. */
  workers: number;
  /** Bytes the queues' remembered figures and answers may hold in all (least recently used go). */
  queueMemoryBytes: number;
  /** Whether this node runs the background jobs loop. */
  runJobs: boolean;
  jobIntervalMs: number;
  /** How long a node holds a purge or bulk-cancel job between progress writes before another node may take it over. */
  adminJobLeaseMs: number;
  /** Trust X-Forwarded-* from a reverse proxy. */
  trustProxy: boolean;
  /** Set the Secure flag on the console cookie (behind HTTPS). */
  secureCookies: boolean;
  /** Provision the demo tenant on the very first start with an empty store. */
  seedDemo: boolean;
  /** Bearer token /metrics requires; tenants and queues are labelled only when it is set. */
  metricsToken: string | undefined;
  /** Outbound provider endpoints and limits (overridable so tests and proxies can redirect them). */
  integrations: IntegrationsConfig;
  /** Inbound request limits: rate limits and timeouts. */
  limits: LimitsConfig;
}

/** How much one client may ask of a node, and how long it may take to ask. */
export interface LimitsConfig {
  /** Enforce the Engagement API rate limits (per key, client IP, phone number). */
  rateLimits: boolean;
  /** A whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** The request headers must arrive within this. */
  headersTimeoutMs: number;
  /** A connection silent this long is closed. */
  connectionTimeoutMs: number;
}

/** Where outbound integration calls go; undefined means the provider's public endpoint. */
export interface IntegrationsConfig {
  timeoutMs: number;
  fcmBaseUrl: string | undefined;
  /** Replaces the token_uri of every FCM service account. */
  fcmTokenUrl: string | undefined;
  apnsProductionHost: string | undefined;
  apnsSandboxHost: string | undefined;
  recaptchaVerifyUrl: string | undefined;
  hcaptchaVerifyUrl: string | undefined;
  turnstileVerifyUrl: string | undefined;
  /** Sends of one push notification before it is given up. */
  pushMaxAttempts: number;
  /** OUTBOUND_ALLOW: host names, `*.suffix`, IPs and CIDRs reachable although private. */
  outboundAllow: string[];
  /** Bytes of any outbound answer read at most; the rest is dropped unread. */
  outboundMaxResponseBytes: number;
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function masterKeyVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (Buffer.from(raw, 'base64').length !== 32) {
    throw new Error(`${name} must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
  }
  return raw;
}

function urlVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http:// or https:// URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http:// or https:// URL, got "${raw}"`);
  }
  return raw;
}

function tokenVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || /\s/.test(raw)) {
    throw new Error(
      `${name} must be at least 16 characters without spaces (e.g. \`openssl rand -hex 24\`)`,
    );
  }
  return raw;
}

function allowListVar(env: Env, name: string): string[] {
  const entries = (env[name] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  try {
    parseAllowList(entries);
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return entries;
}

function integrationsConfig(env: Env): IntegrationsConfig {
  return {
    timeoutMs: intVar(env, 'OUTBOUND_TIMEOUT_MS', 10_000, 100, 120_000),
    fcmBaseUrl: urlVar(env, 'FCM_BASE_URL'),
    fcmTokenUrl: urlVar(env, 'FCM_TOKEN_URL'),
    apnsProductionHost: urlVar(env, 'APNS_HOST'),
    apnsSandboxHost: urlVar(env, 'APNS_SANDBOX_HOST'),
    recaptchaVerifyUrl: urlVar(env, 'RECAPTCHA_VERIFY_URL'),
    hcaptchaVerifyUrl: urlVar(env, 'HCAPTCHA_VERIFY_URL'),
    turnstileVerifyUrl: urlVar(env, 'TURNSTILE_VERIFY_URL'),
    pushMaxAttempts: intVar(env, 'PUSH_MAX_ATTEMPTS', 5, 1, 20),
    outboundAllow: allowListVar(env, 'OUTBOUND_ALLOW'),
    outboundMaxResponseBytes: intVar(env, 'OUTBOUND_MAX_RESPONSE_BYTES', 16_384, 1_024, 10_485_760),
  };
}

function limitsConfig(env: Env): LimitsConfig {
  const requestTimeoutMs = intVar(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  return {
    rateLimits: boolVar(env, 'RATE_LIMITS', true),
    requestTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeoutMs: Math.min(
      intVar(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs,
    ),
    // Above the 30 s a dispatch claim may long-poll without a byte on the wire.
    connectionTimeoutMs: intVar(env, 'CONNECTION_TIMEOUT_MS', 60_000, 35_000, 3_600_000),
  };
}

/**
 * WORKERS: the cores' number by default on PostgreSQL. SQLite has one writer per file and its
 * nodes share no news of changes (caches and figures are per process), so it stays one process.
 */
function workersVar(env: Env, kind: Config['database']['kind']): number {
  if (kind === 'sqlite') {
    const workers = intVar(env, 'WORKERS', 1, 1, 1024);
    if (workers > 1)
      throw new Error('WORKERS above 1 needs PostgreSQL (DATABASE_URL=postgres://…)');
    return workers;
  }
  return intVar(env, 'WORKERS', os.availableParallelism(), 1, 1024);
}

/** Reads and validates the configuration; throws with a message naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const url = env.DATABASE_URL;
  let database: Config['database'];
  if (url === undefined || url === '') {
    database = { kind: 'sqlite', file: path.join(dataDir, 'opencallback.db') };
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    database = { kind: 'postgres', url };
  } else if (url.startsWith('sqlite:')) {
    database = { kind: 'sqlite', file: url.slice('sqlite:'.length) };
  } else {
    throw new Error('DATABASE_URL must start with postgres:// or sqlite:');
  }
  return {
    workers: workersVar(env, database.kind),
    port: intVar(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    database,
    dataDir,
    logLevel: env.LOG_LEVEL || 'info',
    tenantConfigPath: env.TENANT_CONFIG || undefined,
    tenantConfigRefreshMinutes: intVar(env, 'TENANT_CONFIG_REFRESH_MINUTES', 30, 1, 10_080),
    masterKey: masterKeyVar(env, 'MASTER_KEY'),
    previousMasterKeys: (env.MASTER_KEY_PREVIOUS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '')
      .map(
        (k, i) =>
          masterKeyVar({ [`MASTER_KEY_PREVIOUS[${i}]`]: k }, `MASTER_KEY_PREVIOUS[${i}]`) ?? k,
      ),
    sessionIdleMinutes: intVar(env, 'SESSION_IDLE_MINUTES', 20, 1, 1440),
    sessionMaxHours: intVar(env, 'SESSION_MAX_HOURS', 12, 1, 720),
    errorLogRetentionDays: intVar(env, 'ERROR_LOG_RETENTION_DAYS', 14, 1, 3650),
    errorLogMaxPerTenant: intVar(env, 'ERROR_LOG_MAX_PER_TENANT', 10_000, 10, 10_000_000),
    queueMemoryBytes: intVar(env, 'QUEUE_MEMORY_MB', 64, 4, 65_536) * 2 ** 20,
    runJobs: boolVar(env, 'RUN_JOBS', true),
    jobIntervalMs: intVar(env, 'JOB_INTERVAL_MS', 1_000, 100, 3_600_000),
    adminJobLeaseMs: intVar(env, 'ADMIN_JOB_LEASE_SECONDS', 30, 1, 3600) * 1000,
    trustProxy: boolVar(env, 'TRUST_PROXY', false),
    secureCookies: boolVar(env, 'SECURE_COOKIES', false),
    seedDemo: boolVar(env, 'SEED_DEMO', true),
    metricsToken: tokenVar(env, 'METRICS_TOKEN'),
    integrations: integrationsConfig(env),
    limits: limitsConfig(env),
  };
}
