import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { errorContext, type Logger } from '../../log.js';

/** How often the checkpointer copies committed pages from the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 25;
/** How long after opening the database the checkpointer starts. */
const CHECKPOINTER_DELAY_MS = 1_000;

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
 * Checkpoints the WAL from a worker thread with its own connection: on the writing connection a
 * checkpoint (two fsyncs) stalls every request on the event loop, while a passive checkpoint
 * from elsewhere never blocks the writer (bench/README.md has the measurements). Returns the stop
 * function, which the database must call before closing its own connection (so that it is the
 * last one and removes the WAL). A failed worker leaves checkpoints to the writer.
 */
export function startCheckpointer(file: string, log: Logger): () => Promise<void> {
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
    started.on('error', (err) =>
      log.warn(
        { ...errorContext(err), file },
        'SQLite checkpointer stopped; the writer checkpoints from now on',
      ),
    );
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
