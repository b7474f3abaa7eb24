import { sql, type RawBuilder } from 'kysely';

/** The two supported database engines. */
export type Engine = 'sqlite' | 'postgres';

/**
 * What an engine can do, so callers ask for a capability instead of testing the engine by name.
 * SQLite serialises every write through one connection in one process, so it needs neither
 * row locks nor advisory locks to be safe; PostgreSQL has several nodes and needs both.
 */
export interface Capabilities {
  engine: Engine;
  /** `FOR UPDATE SKIP LOCKED` on claims. */
  skipLocked: boolean;
  /** Transaction-scoped advisory locks for once-only work and capacity checks. */
  advisoryLocks: boolean;
  /** Messages between nodes (LISTEN/NOTIFY), for cache invalidation. */
  notifications: boolean;
  /**
   * Statements answer synchronously (better-sqlite3): a write holds the one writer and this
   * process's event loop until it ends, so long work must come in short pieces.
   */
  synchronous: boolean;
  /**
   * Data-modifying statements in WITH: one statement changes rows and writes their events, where
   * otherwise a transaction of several round trips would.
   */
  writingCte: boolean;
}

export const CAPABILITIES: Record<Engine, Capabilities> = {
  sqlite: {
    engine: 'sqlite',
    skipLocked: false,
    advisoryLocks: false,
    notifications: false,
    synchronous: true,
    writingCte: false,
  },
  postgres: {
    engine: 'postgres',
    skipLocked: true,
    advisoryLocks: true,
    notifications: true,
    synchronous: false,
    writingCte: true,
  },
};

/** SQL the two engines spell differently, for statements that must build values themselves. */
export interface EngineSql {
  /** JSON text of an object of these keys and values, in this order. */
  jsonObject: (entries: readonly (readonly [string, RawBuilder<unknown>])[]) => RawBuilder<string>;
  /**
   * An epoch-milliseconds column as UTC ISO 8601 text with milliseconds, as `Date.toISOString`
   * writes it ("2026-03-08T07:00:00.000Z"), by integer arithmetic so no rounding can creep in.
   */
  utcIso: (column: string) => RawBuilder<string>;
}

const pairs = (entries: readonly (readonly [string, RawBuilder<unknown>])[]) =>
  sql.join(entries.map(([key, value]) => sql`${sql.lit(key)}, ${value}`));

const PG_ISO_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS';

export const ENGINE_SQL: Record<Engine, EngineSql> = {
  sqlite: {
    jsonObject: (entries) => sql<string>`json_object(${pairs(entries)})`,
    utcIso: (column) =>
      sql<string>`strftime('%Y-%m-%dT%H:%M:%S', ${sql.ref(column)} / 1000, 'unixepoch') || '.' || printf('%03d', ${sql.ref(column)} % 1000) || 'Z'`,
  },
  postgres: {
    jsonObject: (entries) => sql<string>`json_build_object(${pairs(entries)})::text`,
    // The format is a parameter: SQL text with colons outside casts is not replayable by pgbench
    // (bench/pgbench.ts), which takes `:MI` for a variable.
    utcIso: (column) =>
      sql<string>`to_char(to_timestamp(${sql.ref(column)} / 1000) at time zone 'UTC', ${PG_ISO_SECONDS}::text) || '.' || lpad((${sql.ref(column)} % 1000)::text, 3, '0') || 'Z'`,
  },
};
