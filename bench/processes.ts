import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/..), where the service's sources and node_modules are. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child node process running a TypeScript entry through tsx, with its stderr kept. */
export interface NodeChild {
  child: ChildProcess;
  stderr(): string;
  /** Peak resident set size in bytes (Linux VmHWM), undefined where /proc is unavailable. */
  peakRss(): number | undefined;
  /** CPU time (user + system) of the process and its descendants so far, in ms (Linux). */
  cpuMs(): number | undefined;
  /**
   * SIGTERM, then waits for a graceful exit (which is when `--cpu-prof` writes its profile);
   * after `graceMs` SIGKILL. Resolves to the exit code (null when it had to be killed).
   */
  stop(graceMs?: number): Promise<number | null>;
}

// /proc reports CPU time in USER_HZ ticks, 100 per second on every Linux.
const TICK_MS = 10;

/**
 * CPU time of a process and, recursively, its live children (cluster workers), in ms; undefined
 * without /proc. Fields 14 and 15 of `stat` (utime, stime) follow the command name, which is in
 * parentheses and may hold spaces.
 */
function treeCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
      for (const child of children.split(' ').filter((c) => c !== '')) {
        ms += treeCpuMs(Number(child)) ?? 0;
      }
    }
    return ms;
  } catch {
    return undefined;
  }
}

/**
 * Starts `node [nodeArgs] <entry>`: a built `.js` entry runs as in production; a `.ts` one goes
 * through tsx, which only transpiles modules as they load (but keeps its compiler in memory).
 */
export function startNode(
  entry: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): NodeChild {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = [...nodeArgs, ...loader, path.join(ROOT, entry)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  return {
    child,
    stderr: () => stderr,
    peakRss() {
      try {
        const status = fs.readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8');
        const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    },
    cpuMs: () => (child.pid === undefined ? undefined : treeCpuMs(child.pid)),
    stop: (graceMs = 30_000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', (code) => {
          clearTimeout(kill);
          resolve(code);
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Waits until `url` answers 200, failing early when the process dies or after `timeoutMs`. */
export async function waitUntilReady(proc: NodeChild, url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${url}: the process exited (${proc.child.exitCode}):\n${proc.stderr()}`);
    }
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000} s:\n${proc.stderr()}`);
}

/** Runs the `opencallback` CLI (from source) with the environment; resolves to its stdout. */
/** Compiles the service into dist/ (no console build), so it runs as it would in production. */
export function buildService(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`building the service failed:\n${stderr}`)) : resolve(),
    );
  });
}

export function runCli(env: Record<string, string>, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`opencallback ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}
