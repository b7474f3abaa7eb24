import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAttempt, DISPATCH_ORDER, HELD_STATES, STATE } from '../src/domain/callback-state.js';
import { CLAIM_EVENT, finishChange, START_CHANGE } from '../src/services/dispatch.js';
import { openDb, type DatabaseTarget } from '../src/store/db.js';
import { claimStatement, heldChangeStatement } from '../src/store/postgres/dispatch.js';
import { shapeOf } from '../src/store/repos/lifecycle.js';
import type { compileNamed } from '../src/store/sql.js';

/** What pgbench measured running the service's own claim→start→finish statements. */
export interface PgbenchResult {
  clients: number;
  tps: number;
  claimsPerSec: number;
  /** Whether the pool ran out during the measurement (the figure is then too high). */
  ranDry: boolean;
}

interface PgbenchRun {
  target: Extract<DatabaseTarget, { kind: 'postgres' }>;
  tenantId: string;
  queues: readonly string[];
  clients: number;
  batch: number;
  warmUpSeconds: number;
  seconds: number;
}

type Statement = ReturnType<typeof compileNamed>;

/**
 * One statement of the script: its SQL with each `$n` replaced by a pgbench variable, and the
 * variables' values (passed with -D). `ids` stays a variable the claim's \gset fills.
 */
function scriptStatement(prefix: string, statement: Statement, args: Record<string, unknown>) {
  const values = new Map<string, string>();
  const text = statement.compiled.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    const name = statement.bindings[i];
    if (name === 'ids') return ':ids';
    const variable = `${prefix}_${name ?? `c${n}`}`;
    const value = name === undefined ? statement.compiled.parameters[i] : args[name];
    values.set(variable, Array.isArray(value) ? `{${value.join(',')}}` : String(value));
    return `:${variable}`;
  });
  // pgbench takes a statement per line unless it ends with a semicolon or a meta-command.
  return { text: text.replace(/\s*\n\s*/g, ' '), values };
}

/**
 * The pgbench script of one dialer cycle, built from the service's own statement builders with
 * the arguments the service passes (bench/README.md): the claim (its ids kept by \gset), the
 * start of those, and their finish as connected.
 */
function dialerScript(run: PgbenchRun) {
  const db = openDb(run.target);
  try {
    const now = Date.now();
    const owner = 'pgbench';
    const claim = scriptStatement('claim', claimStatement(db.kysely, DISPATCH_ORDER), {
      tenantId: run.tenantId,
      serviceNames: run.queues,
      owner,
      leaseUntil: now + 5 * 60_000,
      now,
      limit: run.batch,
      eventType: CLAIM_EVENT,
    });
    const held = (prefix: string, from: typeof HELD_STATES, change: typeof START_CHANGE) =>
      scriptStatement(prefix, heldChangeStatement(db.kysely, shapeOf(from, change)), {
        ...change.set,
        updated_at: now,
        tenantId: run.tenantId,
        owner,
        eventType: change.eventType,
        now,
      });
    const start = held('start', [STATE.ROUTING], START_CHANGE);
    const finish = held(
      'finish',
      HELD_STATES,
      finishChange(afterAttempt('AGENT_CONNECTED', 1, 1), now, 0),
    );
    const script = `${claim.text} \\gset\n${start.text};\n${finish.text};\n`;
    return { script, values: new Map([...claim.values, ...start.values, ...finish.values]), now };
  } finally {
    void db.close();
  }
}

/** Runs pgbench for `seconds`; its tps (without the initial connection time). */
function pgbench(run: PgbenchRun, file: string, values: Map<string, string>, seconds: number) {
  // Extended protocol, unnamed statements: what the service's driver sends (parse, bind, execute).
  const args = [
    '-n',
    '-M',
    'extended',
    '-c',
    String(run.clients),
    '-j',
    String(Math.min(run.clients, os.cpus().length)),
    '-T',
    String(seconds),
    '-f',
    file,
  ];
  for (const [name, value] of values) args.push('-D', `${name}=${value}`);
  args.push(run.target.url);
  return new Promise<number>((resolve, reject) => {
    const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
      // A short run on a busy machine may end before the clients have connected: no tps then.
      if (code !== 0 || /aborted|error:/.test(output)) {
        reject(new Error(`pgbench failed (exit ${code}): ${output.slice(0, 3000)}`));
      } else resolve(tps === undefined ? 0 : Number(tps));
    });
  });
}

/**
 * pgbench running the service's claim→start→finish statements with as many clients as the dialer
 * scenario has lines, on a pool seeded like the dialers': the database's own limit for the
 * service's SQL. Claims are counted from the events the script's claims wrote.
 */
export async function pgbenchScenario(run: PgbenchRun): Promise<PgbenchResult> {
  const { script, values, now } = dialerScript(run);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-pgbench-'));
  const file = path.join(dir, 'dialer.sql');
  fs.writeFileSync(file, script);
  const db = openDb(run.target);
  const claims = async () => {
    const row = await db.kysely
      .selectFrom('callback_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', CLAIM_EVENT)
      .where('created_at', '=', now)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const queued = async () => {
    const row = await db.kysely
      .selectFrom('callbacks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', run.tenantId)
      .where('state', '=', STATE.QUEUED)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  try {
    await pgbench(run, file, values, run.warmUpSeconds);
    const before = await claims();
    const tps = await pgbench(run, file, values, run.seconds);
    if (tps === 0) throw new Error('pgbench ran no cycle: give --duration more');
    const claimed = (await claims()) - before;
    return {
      clients: run.clients,
      tps,
      claimsPerSec: claimed / run.seconds,
      ranDry: (await queued()) === 0,
    };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The pgbench line, with the service's claims per second as a share of pgbench's. */
export function printPgbench(p: PgbenchResult, serviceClaimsPerSec: number): void {
  process.stdout.write(
    `pgbench, the service's claim→start→finish SQL, ${p.clients} clients: ${p.tps.toFixed(0)} cycles/s, ` +
      `${p.claimsPerSec.toFixed(0)} claims/s${p.ranDry ? ' (pool ran dry: give --pool more)' : ''}; ` +
      `service/pgbench ${(serviceClaimsPerSec / p.claimsPerSec).toFixed(2)}\n`,
  );
}
