import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Compilable,
  type Migration,
  type QueryResult,
  type SqlBool,
  type SqliteDatabase,
  type Transaction,
} from 'kysely';
import type { Database } from './schema.js';
import { CAPABILITIES, type Capabilities, type Engine } from './engine.js';
import { migrations } from './migrations/index.js';

export type Tx = Transaction<Database>;
export type Queryable = Kysely<Database> | Tx;

/** Where the data lives: a SQLite file (or ':memory:') or a PostgreSQL URL. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** An open database with its engine's capabilities; the only holder of a connection. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly caps: Capabilities;
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `check`, then `write`, in one transaction and resolves once it is committed, or rejects
   * with the refusal `check` returned. Where writes are serial anyway (SQLite), the calls made in
   * one turn of the event loop share a transaction (group commit), each seeing the writes of those
   * before it. There are no savepoints, so `check` may write only once it can no longer refuse
   * (a refused call must leave nothing behind for the others to commit). If anything throws or
   * the commit fails, each call of the group is run again in a transaction of its own.
   */
  groupedTransaction<T>(
    check: (trx: Tx) => Promise<Error | undefined>,
    write: (trx: Tx) => Promise<T>,
  ): Promise<T>;
  /** Serialises work on `key` across nodes until the transaction ends (no-op where writes are already serial). */
  lock(trx: Tx, key: string): Promise<void>;
  /** Round-trip to the database, for readiness. */
  ping(): Promise<void>;
  /**
   * Refreshes the query planner's statistics where the engine needs telling (SQLite; PostgreSQL's
   * autovacuum does it by itself). Without them SQLite may pick a poor index as tables grow.
   */
  optimize(): Promise<void>;
  /** Tells every node listening on `channel` (a no-op where there is only one node). */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Calls `onMessage` for every notification on `channel` until the returned stop is called;
   * after a lost connection it calls `onMessage('*')`, since messages may have been missed.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// BIGINT arrives from pg as a string by default; our instants fit a double exactly.
const PG_INT8 = 20;
const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(PG_INT8, 'text', (value: string) => Number(value));

function dialectFor(target: DatabaseTarget) {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: 10, types: pgTypes });
    // An idle connection cut by the server (restart, failover, admin) is dropped from the pool and
    // the next query opens a new one; without a listener the error would crash the process.
    pool.on('error', () => undefined);
    return new PostgresDialect({ pool });
  }
  if (target.file !== ':memory:') fs.mkdirSync(path.dirname(target.file), { recursive: true });
  const database = new SQLite(target.file);
  // WAL keeps readers off the writer's back; NORMAL sync is durable against a process crash.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  if (target.file !== ':memory:') {
    database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  }
  return new SqliteDialect({ database: withStatementCache(database) });
}

/** How often the checkpointer copies committed pages from the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 25;
/** How long after opening the database the checkpointer starts. */
const CHECKPOINTER_DELAY_MS = 1_000;
/**
 * The writing connection still checkpoints once the WAL holds this many pages (32 MiB): only a
 * checkpoint that catches up with the last commit lets the WAL start over, and under steady
 * writes the checkpointer never quite does. By then it has copied all but its last interval.
 */
const WRITER_CHECKPOINT_PAGES = 8_000;

// CommonJS, evaluated in the worker: `driver` is better-sqlite3's resolved path.
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * A checkpoint (copying the WAL back into the database file and syncing both) costs milliseconds
 * of writes and two fsyncs; on the writing connection it stalls every request on the event loop,
 * and at ~17 WAL pages per booking it came every ~60 bookings: two thirds of a booking's cost in
 * the create bench. A worker thread with its own connection does it instead: a passive checkpoint
 * never blocks the writer, and SQLite lets one connection checkpoint what another committed.
 * Returns the stop function, which the database must call before closing its own connection (so
 * that it is the last one and removes the WAL). A failed worker leaves checkpoints to the writer.
 */
function startCheckpointer(file: string): () => Promise<void> {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  // A short-lived process (a CLI command) has little to checkpoint; it would only wait for a
  // worker to start and stop again.
  const delay = setTimeout(() => {
    const started = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      // Plain CommonJS: none of the parent's loaders (tsx in development) need to start with it.
      execArgv: [],
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        intervalMs: CHECKPOINT_INTERVAL_MS,
      },
    });
    started.unref();
    started.on('error', () => undefined);
    exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    worker = started;
  }, CHECKPOINTER_DELAY_MS);
  delay.unref();
  return async () => {
    clearTimeout(delay);
    // Unreferenced, the worker would not keep the process alive while it closes.
    worker?.ref();
    worker?.postMessage('stop');
    await exited;
  };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing costs SQLite more than running a short indexed
 * query, and the service runs the same few hundred statements all day. better-sqlite3 statements
 * are reusable (and re-prepared by SQLite itself after a schema change), so keep them by SQL.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let statement = statements.get(sqlText);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = database.prepare(sqlText);
        statements.set(sqlText, statement);
      }
      return statement;
    },
  };
}

const RELISTEN_DELAY_MS = 1_000;

/** A dedicated connection that LISTENs on one channel, reconnecting when it is lost. */
async function listenPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  const reconnect = () => {
    if (stopped) return;
    setTimeout(() => {
      // Whatever was sent while we were away is lost: treat it as "everything changed".
      connect()
        .then(() => onMessage('*'))
        .catch(reconnect);
    }, RELISTEN_DELAY_MS).unref();
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (m) => {
      if (m.channel === channel) onMessage(m.payload ?? '');
    });
    next.on('error', () => {
      void next.end().catch(() => undefined);
      if (client === next) reconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}

/** A statement as the database received it: for query-plan checks and debugging. */
export type QueryListener = (sql: string, parameters: readonly unknown[]) => void;

/** `check` then `write` in a transaction of their own. */
function checkedTransaction<T>(
  kysely: Kysely<Database>,
  check: (trx: Tx) => Promise<Error | undefined>,
  write: (trx: Tx) => Promise<T>,
): Promise<T> {
  return kysely.transaction().execute(async (trx) => {
    const refusal = await check(trx);
    if (refusal) throw refusal;
    return write(trx);
  });
}

/** Calls sharing one transaction at most; bounds how long other queries wait behind a group. */
const MAX_GROUP = 64;

interface GroupMember {
  check: (trx: Tx) => Promise<Error | undefined>;
  write: (trx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a single writer. A commit writes every page its transaction changed to the WAL
 * (~17 pages for a booking: the row, its indexes and its event); calls that share a transaction
 * share the pages they have in common, and the per-transaction work. No savepoints: SQLite copies
 * each page a savepoint changes into a statement journal first, which costs what grouping saves,
 * hence the rule that `check` does not write.
 */
function groupCommitter(kysely: Kysely<Database>) {
  let open: GroupMember[] | undefined;
  const alone = (m: GroupMember) => checkedTransaction(kysely, m.check, m.write);
  async function commit(members: readonly GroupMember[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await kysely.transaction().execute(async (trx) => {
        for (const m of members) {
          const refusal = await m.check(trx);
          outcomes.push(
            refusal ? { ok: false, error: refusal } : { ok: true, value: await m.write(trx) },
          );
        }
      });
    } catch {
      // Nothing of the group is stored; the one that failed must not take the others with it.
      for (const m of members) await alone(m).then(m.resolve, m.reject);
      return;
    }
    members.forEach((m, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) m.resolve(outcome.value);
      else m.reject(outcome?.error);
    });
  }
  return <T>(check: (trx: Tx) => Promise<Error | undefined>, write: (trx: Tx) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      if (!open || open.length >= MAX_GROUP) {
        const members: GroupMember[] = [];
        open = members;
        // better-sqlite3 answers synchronously, so a transaction started at once would finish
        // before any other request is read: wait for the requests of this turn to join first.
        setImmediate(() => {
          if (open === members) open = undefined;
          void commit(members);
        });
      }
      open.push({ check, write, resolve: (value) => resolve(value as T), reject });
    });
}

/** Opens the database (does not migrate); `onQuery` hears every statement run. */
export function openDb(target: DatabaseTarget, onQuery?: QueryListener): Db {
  const engine: Engine = target.kind;
  const kysely = new Kysely<Database>({
    dialect: dialectFor(target),
    ...(onQuery && {
      log: (event) => onQuery(event.query.sql, event.query.parameters),
    }),
  });
  const stopCheckpointer =
    target.kind === 'sqlite' && target.file !== ':memory:'
      ? startCheckpointer(target.file)
      : undefined;
  const caps = CAPABILITIES[engine];
  return {
    kysely,
    caps,
    transaction: (fn) => kysely.transaction().execute(fn),
    // Where writes need advisory locks (several nodes), a group would hold the locks of all its
    // calls at once, waiting on other nodes' groups in any order: there each call goes alone.
    groupedTransaction: caps.advisoryLocks
      ? (check, write) => checkedTransaction(kysely, check, write)
      : groupCommitter(kysely),
    async lock(trx, key) {
      if (!caps.advisoryLocks) return;
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
    },
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    async optimize() {
      if (target.kind !== 'sqlite') return;
      // A full ANALYZE of a million-row table holds the one connection for a long while; a
      // sample of ~1000 rows per index is what SQLite advises for optimize.
      await sql`pragma analysis_limit = 1000`.execute(kysely);
      // 0x10002: also tables this connection has not queried yet (SQLite's advice at start).
      await sql`pragma optimize = 0x10002`.execute(kysely);
    },
    async notify(channel, payload) {
      if (!caps.notifications) return;
      await sql`select pg_notify(${channel}, ${payload})`.execute(kysely);
    },
    async listen(channel, onMessage) {
      if (target.kind !== 'postgres') return async () => undefined;
      return listenPostgres(target.url, channel, onMessage);
    },
    async close() {
      await stopCheckpointer?.();
      await kysely.destroy();
    },
  };
}

/** Brings the schema up to date; safe when several nodes start together (the migrator locks). */
export async function migrate(db: Db): Promise<string[]> {
  const all = migrations(db.caps.engine);
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => all },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed');
  await db.optimize();
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Runs a row-picking SELECT (locked with `FOR UPDATE SKIP LOCKED` where the engine has it) and
 * returns the ids, for an UPDATE … WHERE id IN (ids) in the same transaction. Two statements on
 * purpose: PostgreSQL may re-run a LIMITed locking subquery inside an UPDATE once per row, and
 * each run skips the rows the previous one locked, so one "claim" would take them all.
 */
export async function idsOf<T extends string | number>(picker: {
  execute(): Promise<{ id: T }[]>;
}): Promise<T[]> {
  return (await picker.execute()).map((r) => r.id);
}

/**
 * `column IN (values)` as a re-check of rows already found by primary key (`id IN (…)`), written
 * as an expression no index can serve. Given the plain column, both SQLite (with sampled
 * statistics) and PostgreSQL chose to walk a state index (then `callbacks_due`) for `id IN (…) AND
 * state IN (…)`, visiting every waiting callback for each batch: a purge of 1 000 000 took
 * over 300 s instead of under a minute.
 */
export function recheck(column: string, values: readonly string[]) {
  return sql<SqlBool>`(${sql.ref(column)} || '') in (${sql.join(values)})`;
}

/**
 * A tenant's callbacks by a list of ids, found by primary key. The tenant is checked on each row
 * found, written (see recheck) so no index can serve it: from about a thousand ids on (the outbox
 * reads a batch of a purge's callbacks, retention deletes a batch), SQLite's sampled statistics
 * otherwise chose to walk the tenant's whole index, a million entries per statement.
 */
export function idsWithinTenant(tenantId: string, ids: readonly string[]) {
  return sql<SqlBool>`${sql.ref('id')} in (${sql.join(ids)}) and ${recheck('tenant_id', [tenantId])}`;
}

/**
 * A query built and compiled once, then run with new arguments. Kysely builds and compiles every
 * query anew, which on a hot path (booking) costs more JavaScript per statement than SQLite needs
 * to run a short indexed one. `build` is called once with a stand-in object for each argument in
 * `names`, which it may only hand to Kysely as values; every run puts the real arguments where the
 * stand-ins ended up among the compiled parameters and keeps the other parameters (constants).
 */
export function prepare<A extends Record<string, unknown>, R>(
  names: readonly (keyof A & string)[],
  build: (args: A) => Compilable<R>,
): (q: Queryable, args: A) => Promise<QueryResult<R>> {
  const standIns = new Map<unknown, keyof A & string>(names.map((name) => [{ name }, name]));
  const compiled = build(
    Object.fromEntries([...standIns].map(([standIn, name]) => [name, standIn])) as A,
  ).compile();
  const bindings = compiled.parameters.map((value) => standIns.get(value));
  const unused = names.filter((name) => !bindings.includes(name));
  if (unused.length > 0) throw new Error(`prepared query does not use ${unused.join(', ')}`);
  return (q, args) =>
    q.executeQuery<R>({
      ...compiled,
      parameters: bindings.map((name, i) =>
        name === undefined ? compiled.parameters[i] : args[name],
      ),
    });
}

// Bound parameters one statement may carry on both engines (SQLite allows 32 766, PostgreSQL
// 65 535).
const MAX_BOUND_PARAMETERS = 32_000;

/** `rows` in slices small enough for one multi-row INSERT each, whatever the engine. */
export function* insertSlices<T extends object>(rows: readonly T[]): Generator<T[]> {
  const [first] = rows;
  if (first === undefined) return;
  const perStatement = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / Object.keys(first).length));
  for (let i = 0; i < rows.length; i += perStatement) yield rows.slice(i, i + perStatement);
}
