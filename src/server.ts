import cluster from 'node:cluster';
import { runPrimary } from './cluster.js';
import { loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { standardJobs } from './jobs/index.js';
import { startScheduler } from './jobs/scheduler.js';
import { openRuntime } from './runtime.js';
import type { DemoCredentials } from './services/demo.js';

function printDemoHint(url: string, demo: DemoCredentials): void {
  const lines = [
    '',
    'OpenCallback is ready. This first start created a demo tenant (shown once, keep it):',
    `  Console:     ${url}/  (tenant "${demo.tenantId}", user "${demo.username}", password "${demo.password}")`,
    `  Browser key: ${demo.browserKey}`,
    '               (Engagement API, browser kind: safe in a web page; the curls in the README use it)',
    `  Admin key:   ${demo.adminKey}`,
    '               (Admin API, server kind: for automation only; keep it secret, never in a page)',
    `  Try it:      curl -H 'x-api-key: ${demo.browserKey}' ${url}/engagement/v3/callbacks/queue-status/${demo.queue}`,
    `  API docs:    ${url}/docs`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** One node: config → store → services → HTTP + jobs, with graceful shutdown. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary(config.workers, (line) => process.stderr.write(`${line}\n`));
    return;
  }
  const runtime = await openRuntime(config);
  const { services } = runtime;
  if (config.tenantConfigPath !== undefined) {
    const result = await services.tenantConfig.refresh();
    if (!result.ok)
      process.stderr.write(`Tenant configuration not applied: ${result.error ?? ''}\n`);
  }
  const demo = config.seedDemo ? await services.seedDemo() : undefined;
  const app = await buildApp({ config, services });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://localhost:${port}`;
  if (demo) printDemoHint(url, demo);
  else app.log.info(`OpenCallback listening on ${url} (console at /, API docs at /docs)`);

  const scheduler = config.runJobs
    ? startScheduler(standardJobs(config, services), config.jobIntervalMs, app.log)
    : undefined;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // A purge or bulk cancel under way stops after its batch and is resumed by another node.
    await services.adminJobs.stop();
    await scheduler?.stop();
    await app.close();
    await services.push.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `OpenCallback failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
