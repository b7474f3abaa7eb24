import { measureAll, type Measured, type Scenario } from './load.js';
import { freePort, startNode, waitUntilReady } from './processes.js';

/** What `--workers` measures per worker count, beside the hello-world. */
export interface WorkersContext {
  env: Record<string, string>;
  counts: readonly number[];
  scenarios: readonly (() => Promise<Scenario>)[];
  connections: number;
  duration: number;
  measureHello: () => Promise<Measured>;
  note: (text: string) => void;
}

/**
 * Starts the built service once per worker count (`WORKERS=N`, node:cluster) on the run's
 * database and measures the scenarios against each, named `<scenario> (N workers)`.
 */
export async function measureWorkers(
  ctx: WorkersContext,
): Promise<{ scenario: Measured; hello: Measured }[]> {
  const rows: { scenario: Measured; hello: Measured }[] = [];
  for (const count of ctx.counts) {
    ctx.note(`  WORKERS=${count}…`);
    const port = await freePort();
    const service = startNode('dist/server.js', {
      ...ctx.env,
      WORKERS: String(count),
      PORT: String(port),
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(service, `${base}/readyz`);
      for (const build of ctx.scenarios) {
        const scenario = await build();
        const hello = await ctx.measureHello();
        const [measured] = await measureAll(base, [scenario], ctx.connections, ctx.duration, () =>
          service.cpuMs(),
        );
        if (measured) {
          const workers = `${count} worker${count === 1 ? '' : 's'}`;
          rows.push({ scenario: { ...measured, name: `${measured.name} (${workers})` }, hello });
        }
      }
    } finally {
      await service.stop();
    }
  }
  return rows;
}
