import pg from 'pg';
import { errorContext, type Logger } from '../../log.js';

const RELISTEN_DELAY_MS = 1_000;

/** A dedicated connection that LISTENs on one channel, reconnecting when it is lost. */
export async function listenPostgres(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  log: Logger,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  const reconnect = () => {
    if (stopped) return;
    setTimeout(() => {
      // Whatever was sent while we were away is lost: treat it as "everything changed".
      connect()
        .then(() => onMessage('*'))
        .catch((err: unknown) => {
          log.warn({ ...errorContext(err), channel }, 'LISTEN reconnect failed; trying again');
          reconnect();
        });
    }, RELISTEN_DELAY_MS).unref();
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (m) => {
      if (m.channel === channel) onMessage(m.payload ?? '');
    });
    next.on('error', (err) => {
      log.warn({ ...errorContext(err), channel }, 'LISTEN connection lost; reconnecting');
      void next
        .end()
        .catch((endErr: unknown) =>
          log.debug(
            { ...errorContext(endErr), channel },
            'closing the lost LISTEN connection failed',
          ),
        );
      if (client === next) reconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    await client
      ?.end()
      .catch((err: unknown) =>
        log.warn({ ...errorContext(err), channel }, 'closing the LISTEN connection failed'),
      );
  };
}
