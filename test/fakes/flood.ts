/**
 * A server on 127.0.0.1 whose answers never end: it streams zeros until the client hangs up, and
 * counts what it managed to send. Paths listed in `tokenPaths` answer a normal OAuth2 token first.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FloodServer {
  readonly url: string;
  /** Bytes of endless answers written before the client closed the connection. */
  sent(): number;
  /** Requests received (any path). */
  requests(): number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Starts the server; it stops writing at `limitBytes` so a failing test cannot fill memory. */
export async function startFlood(
  opts: { tokenPaths?: readonly string[]; limitBytes?: number } = {},
): Promise<FloodServer> {
  const limit = opts.limitBytes ?? 256 * 1024 * 1024;
  let sent = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://flood').pathname;
      if (opts.tokenPaths?.includes(path)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'flood-token', expires_in: 3600 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = (): void => {
        while (!res.destroyed && sent < limit) {
          sent += CHUNK.length;
          if (!res.write(CHUNK)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => sent,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
