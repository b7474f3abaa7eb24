// `npm run bench [-- --quick] [--db sqlite|postgres] [--seed N] [--purge N] [--pool N] [--lines N] [--batch N]
//                [--duration S] [--connections C] [--only a,b] [--profile] [--workers 1,2]`   (see bench/README.md)
//
// Starts the real service (built into dist/, see processes.ts) on a fresh SQLite data
// folder or PostgreSQL database, provisions a tenant with 50 queues and its keys with the CLI,
// seeds callbacks through the store, and measures each scenario beside a bare fastify
// hello-world measured in the same run. All traffic stays on 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { prepareDatabase } from './database.js';
import { DIALERS, dialerScenario, type DialerResult } from './dialers.js';
import { measureAll, type Measured } from './load.js';
import {
  measureManyQueues,
  printManyQueues,
  type ManyQueues,
  type ManyQueuesResult,
} from './many-queues.js';
import { parseOptions, SCENARIOS, type Options } from './options.js';
import {
  buildService,
  freePort,
  runCli,
  startNode,
  waitUntilReady,
  type NodeChild,
} from './processes.js';
import { pgbenchScenario, printPgbench, type PgbenchResult } from './pgbench.js';
import { profilesIn, summarizeProfile } from './profile.js';
import { purgeScenario, type PurgeResult } from './purge.js';
import {
  noonZone,
  PURGE_QUEUE,
  QUEUE_COUNT,
  queueNames,
  queueSettings,
  tenantConfig,
  TENANT,
  manyQueuesConfig,
  manyQueuesLayout,
} from './queues.js';
import { printDialers, printProfile, printPurge, printTable } from './report.js';
import { engagementScenarios } from './scenarios.js';
import { Phones, seedDialerPool, seedHistory, seedPurgeable } from './seed.js';
import { measureWorkers } from './workers.js';

// Slots starting this soon may have begun before create-scheduled books them.
const SLOT_MARGIN_MS = 30 * 60_000;

const note = (text: string) => process.stderr.write(`${text}\n`);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** The API keys of the run, each made with the CLI as an operator would. */
async function provisionKeys(env: Record<string, string>, opts: Options) {
  const create = (scope: string, name: string) =>
    runCli(env, 'apikey', 'create', TENANT, '--scope', scope, '--name', name);
  const [engagement, admin, ...dialers] = await Promise.all([
    create('engagement', 'bench'),
    opts.only.has('purge') ? create('admin', 'bench-admin') : Promise.resolve(''),
    ...(opts.only.has('dialer')
      ? Array.from({ length: DIALERS }, (_, i) => create('dispatch', `bench-dialer-${i + 1}`))
      : []),
  ]);
  return { engagement: engagement ?? '', admin: admin ?? '', dialers };
}

const WIDE = '100000000/min';

/** The configuration's tenants with rate limits that count every request but never refuse one. */
function withWideLimits<T extends { id: string }>(config: { tenants: T[] }) {
  const everyScope = { perKey: WIDE, perIp: WIDE, perPhoneNumber: WIDE };
  const rateLimits = { default: everyScope, create: everyScope, match: everyScope };
  return { tenants: config.tenants.map((t) => ({ ...t, rateLimits })) };
}

/** The many-queues scenario's tenants, provisioned with the CLI, each with an engagement key. */
async function provisionManyQueues(
  env: Record<string, string>,
  dir: string,
  zone: string,
  opts: Options,
): Promise<ManyQueues> {
  const layout = manyQueuesLayout(opts.tenants, opts.queuesPerTenant);
  note(`Provisioning ${opts.tenants} tenants × ${opts.queuesPerTenant} queues with the CLI…`);
  const file = path.join(dir, 'many-queues.yaml');
  fs.writeFileSync(file, YAML.stringify(withWideLimits(manyQueuesConfig(zone, layout))));
  await runCli(env, 'apply', file);
  const tenants = [];
  // One CLI at a time: each is a node process, and the machine has few cores.
  for (const t of layout) {
    const key = await runCli(
      env,
      'apikey',
      'create',
      t.id,
      '--scope',
      'engagement',
      '--name',
      'bench',
    );
    tenants.push({ key, queues: t.queues });
  }
  return { tenants };
}

/** The bookable slot times of the coming week (the same grid in every bench queue). */
async function slotTimes(base: string, key: string): Promise<string[]> {
  const res = await fetch(
    `${base}/engagement/v3/callbacks/availability/${queueNames[0] ?? ''}?numberOfDays=7`,
    { headers: { 'x-api-key': key } },
  );
  const body = (await res.json()) as { data?: { slots?: { utcTime: string }[] } };
  const times = (body.data?.slots ?? [])
    .map((s) => s.utcTime)
    .filter((t) => Date.parse(t) > Date.now() + SLOT_MARGIN_MS);
  if (times.length === 0) throw new Error('the bench queues offer no slots in the next 7 days');
  return times;
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const zone = noonZone(Date.now());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-'));
  const profileDir = opts.profile
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-profile-'))
    : undefined;
  const database = await prepareDatabase(opts.db, dir);
  // The rate limits are on, as in production; the tenants' limits are wide (withWideLimits), since
  // the load comes from one address at thousands of requests a second.
  const env = {
    ...database.env,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    // One process, as every figure before --workers was measured (PostgreSQL defaults to the cores).
    WORKERS: '1',
  };
  const children: NodeChild[] = [];
  const phones = new Phones();
  try {
    note(`Provisioning ${QUEUE_COUNT + 1} queues (zone ${zone}) on ${opts.db} with the CLI…`);
    const configFile = path.join(dir, 'tenants.yaml');
    fs.writeFileSync(configFile, YAML.stringify(withWideLimits(tenantConfig(zone))));
    await runCli(env, 'apply', configFile);
    const keys = await provisionKeys(env, opts);
    const many = opts.only.has('many-queues')
      ? await provisionManyQueues(env, dir, zone, opts)
      : undefined;

    const seedStarted = Date.now();
    const queues = queueNames.map((name) => queueSettings(name, zone));
    const seededIds = await seedHistory(database.target, TENANT, queues, opts.seed, phones);
    const seedSeconds = seconds(seedStarted);
    note(`Seeded ${opts.seed} callbacks over ${QUEUE_COUNT} queues in ${seedSeconds} s`);

    // The hello-world runs beside the service for the whole run and is measured again right before
    // each scenario: this machine's speed drifts by a third within minutes, so a ratio only means
    // something against a hello-world measured at the same time.
    const helloPort = await freePort();
    const hello = startNode('bench/hello.ts', { PORT: String(helloPort) });
    children.push(hello);
    await waitUntilReady(hello, `http://127.0.0.1:${helloPort}/`);
    const measureHello = async () => {
      const [measured] = await measureAll(
        `http://127.0.0.1:${helloPort}`,
        [{ name: 'fastify hello-world', method: 'GET', path: () => '/' }],
        opts.connections,
        opts.duration,
        () => hello.cpuMs(),
      );
      if (!measured) throw new Error('the hello-world measured nothing');
      return measured;
    };

    note('Measuring the service…');
    const port = await freePort();
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // The built service, as production runs it (RSS without tsx's compiler, same code).
    await buildService();
    const service = startNode('dist/server.js', { ...env, PORT: String(port) }, nodeArgs);
    children.push(service);
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(service, `${base}/readyz`);

    const builders = engagementScenarios({
      key: keys.engagement,
      phones,
      slotTimes: () => slotTimes(base, keys.engagement),
      seededIds,
    });
    const rows: { scenario: Measured; hello: Measured }[] = [];
    let dialers: DialerResult | undefined;
    let pgbench: PgbenchResult | undefined;
    let manyResult: ManyQueuesResult | undefined;
    let purge: PurgeResult | undefined;
    for (const name of SCENARIOS.filter((n) => opts.only.has(n))) {
      if (name === 'dialer') {
        const started = Date.now();
        await seedDialerPool(database.target, TENANT, queueNames, opts.pool, phones);
        note(`  dialer… (seeded ${opts.pool} QUEUED callbacks in ${seconds(started)} s)`);
        dialers = await dialerScenario(
          {
            base,
            keys: keys.dialers,
            queues: queueNames,
            lines: opts.lines,
            batch: opts.batch,
            warmUpSeconds: Math.max(1, Math.round(opts.duration / 5)),
            seconds: opts.duration,
          },
          database.target,
          TENANT,
        );
        if (database.target.kind === 'postgres') {
          // The database's own limit for the same SQL, on a pool seeded the same way.
          await seedDialerPool(database.target, TENANT, queueNames, opts.pool, phones);
          note('  dialer SQL under pgbench…');
          pgbench = await pgbenchScenario({
            target: database.target,
            tenantId: TENANT,
            queues: queueNames,
            clients: DIALERS * opts.lines,
            batch: opts.batch,
            warmUpSeconds: Math.max(1, Math.round(opts.duration / 5)),
            seconds: opts.duration,
          });
        }
      } else if (name === 'many-queues') {
        if (!many || service.child.pid === undefined) throw new Error('many-queues: no tenants');
        const measured = await measureManyQueues(many, service.child.pid, async (scenario) => {
          const helloNow = await measureHello();
          const [m] = await measureAll(base, [scenario], opts.connections, opts.duration, () =>
            service.cpuMs(),
          );
          if (!m) throw new Error(`${scenario.name} measured nothing`);
          return { scenario: m, hello: helloNow };
        });
        rows.push(...measured.rows);
        manyResult = measured.result;
      } else if (name === 'purge') {
        const started = Date.now();
        const settings = queueSettings(PURGE_QUEUE, zone);
        await seedPurgeable(database.target, TENANT, settings, opts.purge, phones);
        note(`  purge… (seeded ${opts.purge} waiting callbacks in ${seconds(started)} s)`);
        purge = await purgeScenario({
          base,
          adminKey: keys.admin,
          engagementKey: keys.engagement,
          queue: PURGE_QUEUE,
          seeded: opts.purge,
        });
      } else {
        const scenario = await builders[name]();
        const helloNow = await measureHello();
        const [measured] = await measureAll(base, [scenario], opts.connections, opts.duration, () =>
          service.cpuMs(),
        );
        if (measured) rows.push({ scenario: measured, hello: helloNow });
      }
    }
    const peak = service.peakRss();
    const exitCode = await service.stop();
    if (opts.workers.length > 0) {
      rows.push(
        ...(await measureWorkers({
          env,
          counts: opts.workers,
          scenarios: [builders['queue-status'], builders['create-immediate']],
          connections: opts.connections,
          duration: opts.duration,
          measureHello,
          note,
        })),
      );
    }

    process.stdout.write(
      `\nOpenCallback bench: ${opts.db}, ${opts.seed} seeded callbacks over ${QUEUE_COUNT} queues ` +
        `(seeded in ${seedSeconds} s), ${opts.duration} s per scenario, ${opts.connections} ` +
        `connections, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}\n\n`,
    );
    if (rows.length > 0) {
      printTable(rows);
      process.stdout.write('\n');
    }
    if (dialers) printDialers(dialers);
    if (dialers && pgbench) printPgbench(pgbench, dialers.claimsPerSec);
    if (purge) printPurge(purge);
    if (manyResult) printManyQueues(manyResult);
    process.stdout.write(
      `Peak RSS of the service process: ${peak === undefined ? 'n/a' : `${(peak / 2 ** 20).toFixed(0)} MiB`}\n`,
    );
    if (profileDir) {
      const [profile] = profilesIn(profileDir);
      if (!profile) {
        throw new Error(
          `no CPU profile in ${profileDir}: the service did not exit cleanly (exit code ${exitCode})`,
        );
      }
      process.stdout.write('\n');
      printProfile(summarizeProfile(profile));
      process.stdout.write(`Open it in Chrome DevTools (Performance) or VS Code: ${profileDir}\n`);
    }
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
