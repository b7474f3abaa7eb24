import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CompiledQuery, QueryResult } from 'kysely';

// CommonJS, evaluated in the worker: `driver` is better-sqlite3's resolved path.
const READER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (m) => {
  if (m === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: m.id, rows: db.prepare(m.sql).all(...m.parameters) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

type Answer = { id: number; rows: unknown[] } | { id: number; error: string };

/** Runs reads on a worker thread's own read-only connection; see Db.readAside. */
export interface AsideReader {
  read<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
  /** Waits for the worker to close its connection (before the writer closes its own). */
  stop(): Promise<void>;
}

/**
 * A read that walks a large part of a table (a purge's count of a million waiting callbacks)
 * holds better-sqlite3's one connection, and with it the event loop, for hundreds of
 * milliseconds; on a connection of its own in a worker thread it holds nobody. Started on the
 * first read: most processes (the CLI, most requests) never need it.
 */
export function asideReader(file: string): AsideReader {
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let nextId = 0;
  const waiting = new Map<
    number,
    { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }
  >();

  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    worker = undefined;
  };

  const start = (): Worker => {
    const started = new Worker(READER_SOURCE, {
      eval: true,
      // Plain CommonJS: none of the parent's loaders (tsx in development) need to start with it.
      execArgv: [],
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file },
    });
    started.on('message', (answer: Answer) => {
      const w = waiting.get(answer.id);
      if (!w) return;
      waiting.delete(answer.id);
      if ('error' in answer) w.reject(new Error(answer.error));
      else w.resolve(answer.rows);
      // Idle, the worker must not keep the process alive.
      if (waiting.size === 0) started.unref();
    });
    started.on('error', (err) => failAll(err));
    exited = new Promise<void>((resolve) =>
      started.once('exit', () => {
        if (worker === started) failAll(new Error('the SQLite reader thread stopped'));
        resolve();
      }),
    );
    return started;
  };

  return {
    async read<R>(query: CompiledQuery<R>) {
      worker ??= start();
      worker.ref();
      const id = nextId++;
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker?.postMessage({ id, sql: query.sql, parameters: query.parameters });
      });
      return { rows: rows as R[] };
    },
    async stop() {
      const running = worker;
      worker = undefined;
      if (running) {
        running.ref();
        running.postMessage('stop');
      }
      await exited;
    },
  };
}
