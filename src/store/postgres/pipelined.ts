import pg from 'pg';
import type { CompiledQuery, QueryResult } from 'kysely';
import type { QueryListener } from '../db.js';

/**
 * BEGIN, one advisory lock per key (`lock`, its one parameter the key), `query` and COMMIT, sent
 * together on one pipelined client: the server runs them in order, so `query`'s snapshot is taken
 * once the locks are held, and the client waits for one round trip instead of one per statement.
 * A failing statement aborts the transaction (the COMMIT then rolls back); the first error is
 * thrown once every answer is in, so the client goes back to the pool idle.
 */
export async function pipelinedTransaction<R>(
  pool: pg.Pool,
  lock: CompiledQuery<unknown>,
  keys: readonly string[],
  query: CompiledQuery<R>,
  onQuery: QueryListener | undefined,
): Promise<QueryResult<R>> {
  const client = await pool.connect();
  const send = (text: string, values: readonly unknown[] = []) => {
    onQuery?.(text, values);
    return client.query(text, [...values]);
  };
  // Corked, the statements leave in one write (pg flushes each on its own): one wake-up of the
  // server instead of one per statement.
  const { stream } = (client as pg.PoolClient & Pick<pg.Client, 'connection'>).connection;
  stream.cork();
  const sent = [
    send('begin'),
    ...keys.map((key) => send(lock.sql, [key])),
    send(query.sql, query.parameters),
    send('commit'),
  ];
  stream.uncork();
  const answers = await Promise.allSettled(sent);
  const failed = answers.find((a) => a.status === 'rejected');
  // The server's refusals leave the connection usable; anything else (a lost connection) does not.
  client.release(
    failed && !(failed.reason instanceof pg.DatabaseError) ? asError(failed.reason) : undefined,
  );
  if (failed) throw failed.reason;
  const result = answers[answers.length - 2];
  if (result?.status !== 'fulfilled') throw new Error('pipelined statement went unanswered');
  return { rows: result.value.rows as R[] };
}

const asError = (reason: unknown) => (reason instanceof Error ? reason : new Error(String(reason)));
