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
}

export const CAPABILITIES: Record<Engine, Capabilities> = {
  sqlite: {
    engine: 'sqlite',
    skipLocked: false,
    advisoryLocks: false,
    notifications: false,
    synchronous: true,
  },
  postgres: {
    engine: 'postgres',
    skipLocked: true,
    advisoryLocks: true,
    notifications: true,
    synchronous: false,
  },
};
