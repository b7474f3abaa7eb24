import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
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
  return new SqliteDialect({ database: withStatementCache(database) });
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

/** Opens the database (does not migrate); `onQuery` hears every statement run. */
export function openDb(target: DatabaseTarget, onQuery?: QueryListener): Db {
  const engine: Engine = target.kind;
  const kysely = new Kysely<Database>({
    dialect: dialectFor(target),
    ...(onQuery && {
      log: (event) => onQuery(event.query.sql, event.query.parameters),
    }),
  });
  const caps = CAPABILITIES[engine];
  return {
    kysely,
    caps,
    transaction: (fn) => kysely.transaction().execute(fn),
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
    close: () => kysely.destroy(),
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
