import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import type { Logger } from '../../log.js';
import type { Db, QueryListener } from '../db.js';
import { CAPABILITIES } from '../engine.js';
import type { Database } from '../schema.js';
import { startCheckpointer } from './checkpointer.js';
import { groupCommitter } from './group-commit.js';
import { asideReader } from './reader.js';

/**
 * The writing connection still checkpoints once the WAL holds this many pages (32 MiB): only a
 * checkpoint that catches up with the last commit lets the WAL start over, and under steady
 * writes the checkpointer never quite does.
 */
const WRITER_CHECKPOINT_PAGES = 8_000;
const STATEMENT_CACHE_SIZE = 500;
/** The database holds personal data: only the service's own user may read it. */
const FILE_MODE = 0o600;

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

/**
 * Creates the database file owner-only before SQLite opens it: SQLite gives the WAL and shared
 * memory files the database file's permissions, so they follow.
 */
function createPrivately(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.closeSync(fs.openSync(file, 'a', FILE_MODE));
}

/** Opens a SQLite file (or ':memory:') as the store's Db: one connection, the single writer. */
export function openSqlite(file: string, log: Logger, onQuery?: QueryListener): Db {
  if (file !== ':memory:') createPrivately(file);
  const database = new SQLite(file);
  // WAL keeps readers off the writer's back; NORMAL sync is durable against a process crash.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  if (file !== ':memory:') database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
    ...(onQuery && { log: (event) => onQuery(event.query.sql, event.query.parameters) }),
  });
  const stopCheckpointer = file === ':memory:' ? undefined : startCheckpointer(file, log);
  // An in-memory database has no file another connection could open.
  const aside = file === ':memory:' ? undefined : asideReader(file);
  return {
    kysely,
    caps: CAPABILITIES.sqlite,
    transaction: (fn) => kysely.transaction().execute(fn),
    groupedTransaction: groupCommitter(kysely),
    // One writer in one process: writes are serial already.
    lock: async () => undefined,
    lockedStatement: (_keys, query) =>
      kysely.transaction().execute((trx) => trx.executeQuery(query)),
    readAside(query) {
      if (!aside) return kysely.executeQuery(query);
      onQuery?.(query.sql, query.parameters);
      return aside.read(query);
    },
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    async optimize() {
      // A full ANALYZE of a large table holds the one connection for a long while; a sample of
      // ~1000 rows per index is what SQLite advises for optimize.
      await sql`pragma analysis_limit = 1000`.execute(kysely);
      // 0x10002: also tables this connection has not queried yet (SQLite's advice at start).
      await sql`pragma optimize = 0x10002`.execute(kysely);
    },
    // One node: nobody else to tell or hear from.
    notify: async () => undefined,
    listen: async () => async () => undefined,
    async close() {
      await aside?.stop();
      await stopCheckpointer?.();
      await kysely.destroy();
    },
  };
}
