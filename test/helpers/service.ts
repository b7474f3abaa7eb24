import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');
// Generous: with the whole suite running beside it, compiling and starting a service took over 30 s.
const START_TIMEOUT_MS = 90_000;

/** The real service as a child process, the way an operator starts it. */
export interface Service {
  child: ChildProcess;
  base: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  exited: Promise<void>;
}

/** A port nothing listens on right now (the service cannot report the one it picked for PORT=0). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `src/server.ts` with `env` and resolves once it answers /healthz: one process unless
 * `env` asks for WORKERS.
 */
export async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO,
    env: { ...process.env, WORKERS: '1', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`the service exited while starting:\n${out}\n${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not answer within ${START_TIMEOUT_MS} ms:\n${out}\n${err}`);
    }
    const ready = await fetch(`${base}/healthz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return { child, base, stdout: () => out, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A JSON request with an API key; the HTTP status and the parsed envelope. */
export async function request<T = Record<string, unknown>>(
  base: string,
  key: string,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<{ http: number; status: { code: number; message: string }; data: T }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      'x-api-key': key,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const envelope = (await res.json()) as { status: { code: number; message: string }; data: T };
  return { http: res.status, ...envelope };
}
