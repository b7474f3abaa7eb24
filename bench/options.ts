import { parseArgs } from 'node:util';

/** Every scenario `--only` can pick, in the order a run measures them. */
export const SCENARIOS = [
  'queue-status',
  'error-path',
  'create-immediate',
  'create-scheduled',
  'availability',
  'availability-identity',
  'availability-widget',
  'open-for',
  'retrieve',
  'dialer',
  'purge',
  'many-queues',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** How one bench run is set up; see bench/README.md for each option. */
export interface Options {
  db: 'sqlite' | 'postgres';
  /** Callbacks written into the store before the service starts. */
  seed: number;
  /** Waiting callbacks the purge scenario seeds into its queue and purges. */
  purge: number;
  /** QUEUED callbacks seeded for the dialers to claim. */
  pool: number;
  /** Concurrent claim→start→finish loops of each of the four dialers. */
  lines: number;
  /** Callbacks each loop claims, starts and finishes per request. */
  batch: number;
  /** Seconds measured per scenario (after a warm-up of a fifth of that, at least 1 s). */
  duration: number;
  connections: number;
  only: ReadonlySet<ScenarioName>;
  profile: boolean;
  /** Worker counts (WORKERS, PostgreSQL only) queue-status and create are measured with again. */
  workers: readonly number[];
  /** Tenants of the many-queues scenario, and queues of each. */
  tenants: number;
  queuesPerTenant: number;
}

function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
  return n;
}

function selection(raw: string | undefined): ReadonlySet<ScenarioName> {
  if (raw === undefined) return new Set(SCENARIOS);
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const unknown = names.filter((n) => !isScenario(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--only takes a comma-separated list of: ${SCENARIOS.join(', ')}`);
  }
  return new Set(names.filter(isScenario));
}

/** Reads the command line; `--quick` changes the defaults, explicit options still win. */
export function parseOptions(argv: string[] = process.argv.slice(2)): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      db: { type: 'string', default: 'sqlite' },
      seed: { type: 'string' },
      purge: { type: 'string' },
      pool: { type: 'string' },
      lines: { type: 'string', default: '8' },
      batch: { type: 'string', default: '10' },
      duration: { type: 'string' },
      connections: { type: 'string', default: '64' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      workers: { type: 'string' },
      tenants: { type: 'string', default: '20' },
      'queues-per-tenant': { type: 'string', default: '100' },
    },
  });
  const quick = values.quick;
  if (values.db !== 'sqlite' && values.db !== 'postgres') {
    throw new Error('--db must be sqlite or postgres');
  }
  const opts: Options = {
    db: values.db,
    seed: whole('seed', values.seed, quick ? 2_000 : 1_000_000, 0),
    purge: whole('purge', values.purge, quick ? 5_000 : 1_000_000, 1),
    pool: whole('pool', values.pool, quick ? 5_000 : 100_000, 1),
    lines: whole('lines', values.lines, 8, 1),
    batch: whole('batch', values.batch, 10, 1),
    duration: whole('duration', values.duration, quick ? 2 : 10, 1),
    connections: whole('connections', values.connections, 64, 1),
    only: selection(values.only),
    profile: values.profile,
    workers: (values.workers ?? '')
      .split(',')
      .filter((n) => n.trim() !== '')
      .map((n) => whole('workers', n.trim(), 1, 1)),
    tenants: whole('tenants', values.tenants, 20, 1),
    queuesPerTenant: whole('queues-per-tenant', values['queues-per-tenant'], 100, 1),
  };
  if (opts.workers.length > 0 && opts.db !== 'postgres') {
    throw new Error('--workers needs --db postgres: SQLite runs one process (README)');
  }
  if (opts.seed === 0 && opts.only.has('retrieve')) {
    throw new Error('retrieve reads seeded callbacks: give --seed ≥ 1 or leave it out of --only');
  }
  return opts;
}
