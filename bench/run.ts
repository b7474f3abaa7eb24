// `npm run bench [-- --quick] [--db sqlite|postgres] [--seed N] [--duration S] [--connections C]`
//
// Starts the real service (src/server.ts through tsx, see processes.ts) on a fresh SQLite data
// folder or PostgreSQL database, provisions a tenant, queue and key with the CLI, seeds callbacks
// through the store, and measures each scenario with autocannon beside a bare fastify
// hello-world measured in the same run. All traffic stays on 127.0.0.1.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import YAML from 'yaml';
import { parseQueueSettings } from '../src/domain/queue-settings.js';
import { generateMasterKey } from '../src/security/secret-box.js';
import type { DatabaseTarget } from '../src/store/db.js';
import { freePort, runCli, startNode, waitUntilReady, type NodeChild } from './processes.js';
import { benchPhone, seedCallbacks } from './seed.js';

const TENANT = 'bench';
const QUEUE = {
  name: 'support',
  timezone: 'America/New_York',
  businessHours: {
    weekly: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['07:00', '22:00']]]),
    ),
  },
  slotDurationMinutes: 15,
  // Roomy limits: the scenarios measure the booking path, not its refusals.
  slotCapacity: 1_000,
  maxQueuedImmediate: 1_000_000,
};
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

interface Options {
  db: 'sqlite' | 'postgres';
  seed: number;
  duration: number;
  connections: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      db: { type: 'string', default: 'sqlite' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string', default: '64' },
    },
  });
  const quick = values.quick;
  const whole = (name: string, raw: string | undefined, fallback: number, min: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}`);
    return n;
  };
  if (values.db !== 'sqlite' && values.db !== 'postgres') {
    throw new Error('--db must be sqlite or postgres');
  }
  return {
    db: values.db,
    seed: whole('seed', values.seed, quick ? 2_000 : 100_000, 0),
    duration: whole('duration', values.duration, quick ? 2 : 10, 1),
    connections: whole('connections', values.connections, 64, 1),
  };
}

/** Where the service keeps its data for this run: its environment, target and clean-up. */
interface BenchDatabase {
  env: Record<string, string>;
  target: DatabaseTarget;
  drop: () => Promise<void>;
}

async function prepareDatabase(opts: Options, dir: string): Promise<BenchDatabase> {
  if (opts.db === 'sqlite') {
    const target: DatabaseTarget = { kind: 'sqlite', file: path.join(dir, 'opencallback.db') };
    return { env: { DATA_DIR: dir }, target, drop: async () => undefined };
  }
  const server = process.env.DATABASE_URL || DEFAULT_PG;
  const name = `oc_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const target: DatabaseTarget = { kind: 'postgres', url: url.toString() };
  return {
    env: { DATABASE_URL: target.url, MASTER_KEY: generateMasterKey() },
    target,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A fresh body per request (distinct phone numbers keep the per-number rules out of the way). */
  body?: () => unknown;
}

interface Measured {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  statuses: string;
}

async function measure(base: string, s: Scenario, opts: Options, seconds: number) {
  const body = s.body;
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...s.headers };
  const result = await autocannon({
    url: base,
    connections: opts.connections,
    duration: seconds,
    requests: [
      {
        method: s.method,
        path: s.path,
        headers,
        ...(body ? { setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) } : {}),
      },
    ],
  });
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, stat]) => `${code}×${stat.count ?? 0}`)
    .concat(
      result.errors + result.timeouts > 0 ? [`failed×${result.errors + result.timeouts}`] : [],
    )
    .join(' ');
  return {
    name: s.name,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
  };
}

/** Measures each scenario after a short unrecorded warm-up (the JIT and caches settle first). */
async function measureAll(base: string, scenarios: Scenario[], opts: Options) {
  const warmUp = Math.max(1, Math.round(opts.duration / 5));
  const out: Measured[] = [];
  for (const s of scenarios) {
    process.stderr.write(`  ${s.name}…\n`);
    await measure(base, s, opts, warmUp);
    out.push(await measure(base, s, opts, opts.duration));
  }
  return out;
}

function printTable(rows: Measured[], hello: number): void {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', '× hello', 'responses'];
  const cells = rows.map((r) => [
    r.name,
    r.reqPerSec.toFixed(0),
    String(r.p50),
    String(r.p99),
    (r.reqPerSec / hello).toFixed(2),
    r.statuses,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i === 5 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const c of cells) process.stdout.write(`${line(c).trimEnd()}\n`);
}

async function main(): Promise<void> {
  const opts = options();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-'));
  const database = await prepareDatabase(opts, dir);
  const env = { ...database.env, SEED_DEMO: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  const children: NodeChild[] = [];
  try {
    process.stderr.write(`Provisioning on ${opts.db} with the CLI…\n`);
    const configFile = path.join(dir, 'tenants.yaml');
    fs.writeFileSync(configFile, YAML.stringify({ tenants: [{ id: TENANT, queues: [QUEUE] }] }));
    await runCli(env, 'apply', configFile);
    const key = await runCli(env, 'apikey', 'create', TENANT, '--name', 'bench');

    const seedStarted = Date.now();
    const ids = await seedCallbacks(database.target, TENANT, parseQueueSettings(QUEUE), opts.seed);
    process.stderr.write(
      `Seeded ${opts.seed} callbacks in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`,
    );

    process.stderr.write('Measuring the fastify hello-world…\n');
    const helloPort = await freePort();
    const hello = startNode('bench/hello.ts', { PORT: String(helloPort) });
    children.push(hello);
    await waitUntilReady(hello, `http://127.0.0.1:${helloPort}/`);
    const [helloResult] = await measureAll(
      `http://127.0.0.1:${helloPort}`,
      [{ name: 'fastify hello-world', method: 'GET', path: '/' }],
      opts,
    );
    await hello.stop();
    if (!helloResult) throw new Error('the hello-world measured nothing');

    process.stderr.write('Measuring the service…\n');
    const port = await freePort();
    const service = startNode('src/server.ts', { ...env, PORT: String(port) });
    children.push(service);
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(service, `${base}/readyz`);
    const auth = { 'x-api-key': key };
    const slotsResponse = await fetch(
      `${base}/engagement/v3/callbacks/availability/${QUEUE.name}?numberOfDays=7`,
      { headers: auth },
    );
    const available = (await slotsResponse.json()) as { data?: { slots?: { utcTime: string }[] } };
    const slotTimes = (available.data?.slots ?? []).map((s) => s.utcTime);
    if (slotTimes.length === 0)
      throw new Error('the bench queue offers no slots in the next 7 days');

    let nextPhone = opts.seed;
    let nextSlot = 0;
    let nextId = 0;
    const scenarios: Scenario[] = [
      {
        name: 'queue-status (authenticated)',
        method: 'GET',
        path: `/engagement/v3/callbacks/queue-status/${QUEUE.name}`,
        headers: auth,
      },
      {
        name: 'error path (missing key)',
        method: 'GET',
        path: `/engagement/v3/callbacks/queue-status/${QUEUE.name}`,
      },
      {
        name: 'create immediate',
        method: 'POST',
        path: '/engagement/v3/callbacks/create',
        headers: auth,
        body: () => ({ serviceName: QUEUE.name, phoneNumber: benchPhone(nextPhone++) }),
      },
      {
        name: 'create scheduled, capacity checked',
        method: 'POST',
        path: '/engagement/v3/callbacks/create',
        headers: auth,
        body: () => ({
          serviceName: QUEUE.name,
          phoneNumber: benchPhone(nextPhone++),
          desiredTime: slotTimes[nextSlot++ % slotTimes.length],
          alwaysCheckCapacity: true,
        }),
      },
      {
        name: 'availability, 7 days',
        method: 'GET',
        path: `/engagement/v3/callbacks/availability/${QUEUE.name}?numberOfDays=7`,
        headers: auth,
      },
      {
        name: 'open-for, all flags',
        method: 'GET',
        path: `/engagement/v3/callbacks/open-for/${QUEUE.name}?queryImmediateOfferHours=true&returnWithinImmediateOfferTime=true&checkImmediateEnabled=true`,
        headers: auth,
      },
      {
        name: 'retrieve',
        method: 'POST',
        path: '/engagement/v3/callbacks/retrieve',
        headers: auth,
        body: () => ({ id: ids[nextId++ % ids.length] }),
      },
    ];
    const rows = await measureAll(base, scenarios, opts);
    const peak = service.peakRss();

    process.stdout.write(
      `\nOpenCallback bench: ${opts.db}, ${opts.seed} seeded callbacks, ${opts.duration} s per scenario, ` +
        `${opts.connections} connections, ${os.cpus().length} CPUs, Node ${process.version}\n\n`,
    );
    printTable([helloResult, ...rows], helloResult.reqPerSec);
    process.stdout.write(
      `\nPeak RSS of the service process: ${peak === undefined ? 'n/a' : `${(peak / 2 ** 20).toFixed(0)} MiB`}\n`,
    );
  } finally {
    for (const c of children) await c.stop();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
