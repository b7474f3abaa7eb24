import {
  Migrator,
  type CompiledQuery,
  type Kysely,
  type Migration,
  type QueryResult,
  type Transaction,
} from 'kysely';
import { silentLogger, type Logger } from '../log.js';
import type { Capabilities } from './engine.js';
import { migrations } from './migrations/index.js';
import { openPostgres } from './postgres/index.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite/index.js';

// The store's port: the Db every repository works through. sqlite/ and postgres/ each build it;
// SQL helpers both share are in sql.ts.

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
  /**
   * Runs `query` in a transaction of its own after taking the locks of `keys` (see lock), in that
   * order. Where the driver pipelines (PostgreSQL), BEGIN, the locks, the statement and COMMIT go
   * out together: one round trip instead of one each.
   */
  lockedStatement<R>(keys: readonly string[], query: CompiledQuery<R>): Promise<QueryResult<R>>;
  /**
   * Runs a read that may walk much of a table without holding the event loop: on a connection of
   * its own in a worker thread where statements are synchronous (SQLite), as any query elsewhere.
   * It sees what is committed, not the caller's transaction.
   */
  readAside<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
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

/** A statement as the database received it: for query-plan checks and debugging. */
export type QueryListener = (sql: string, parameters: readonly unknown[]) => void;

export interface OpenOptions {
  /** Hears every statement run. */
  onQuery?: QueryListener | undefined;
  /** Where the engine reports what it recovers from by itself (lost connections, a dead worker). */
  log?: Logger | undefined;
}

/** Opens the database (does not migrate). */
export function openDb(target: DatabaseTarget, options: OpenOptions = {}): Db {
  const log = options.log ?? silentLogger;
  switch (target.kind) {
    case 'sqlite':
      return openSqlite(target.file, log, options.onQuery);
    case 'postgres':
      return openPostgres(target.url, log, options.onQuery);
  }
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
