import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { errorContext, type Logger } from '../../log.js';
import type { Db, QueryListener } from '../db.js';
import { CAPABILITIES } from '../engine.js';
import type { Database } from '../schema.js';
import { checkedTransaction, prepare } from '../sql.js';
import { listenPostgres } from './listen.js';
import { pipelinedTransaction } from './pipelined.js';

// BIGINT arrives from pg as a string by default; our instants fit a double exactly.
const PG_INT8 = 20;
const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(PG_INT8, 'text', (value: string) => Number(value));

/** Opens a PostgreSQL database as the store's Db: a pool, shared by several nodes. */
export function openPostgres(url: string, log: Logger, onQuery?: QueryListener): Db {
  // Pipelined: a client sends the statements it is given without waiting for each answer
  // (lockedStatement); statements awaited one by one, as Kysely runs them, go as before.
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes, pipeline: true });
  // An idle connection cut by the server (restart, failover, admin) is dropped from the pool and
  // the next query opens a new one; without a listener the error would crash the process.
  pool.on('error', (err) => log.warn(errorContext(err), 'idle PostgreSQL connection lost'));
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(onQuery && { log: (event) => onQuery(event.query.sql, event.query.parameters) }),
  });
  // Every booking takes two: compiled once (see prepare).
  const lockSql = sql`select pg_advisory_xact_lock(hashtextextended(${''}, 0))`.compile(kysely);
  const lockKey = prepare(['key'], ({ key }: { key: string }) => ({
    compile: () => sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.compile(kysely),
  }));
  return {
    kysely,
    caps: CAPABILITIES.postgres,
    transaction: (fn) => kysely.transaction().execute(fn),
    // A group would hold the advisory locks of all its calls at once, waiting on other nodes'
    // groups in any order: with several nodes each call goes alone.
    groupedTransaction: (check, write) => checkedTransaction(kysely, check, write),
    async lock(trx, key) {
      await lockKey(trx, { key });
    },
    lockedStatement: (keys, query) => pipelinedTransaction(pool, lockSql, keys, query, onQuery),
    // Asynchronous already: the event loop goes on while PostgreSQL reads.
    readAside: (query) => kysely.executeQuery(query),
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    // autovacuum keeps the planner's statistics up to date by itself.
    optimize: async () => undefined,
    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(kysely);
    },
    listen: (channel, onMessage) => listenPostgres(url, channel, onMessage, log),
    close: () => kysely.destroy(),
  };
}
