import fs from 'node:fs';
import type { Measured, Scenario } from './load.js';

const API = '/engagement/v3/callbacks';
const RSS_SAMPLE_MS = 250;
/** How long the service idles after the scenario before its RSS is read again. */
const SETTLE_MS = 5_000;

/** A SaaS node's many tenants and queues (`--tenants`, `--queues-per-tenant`). */
export interface ManyQueues {
  /** Each tenant's engagement key and queues. */
  tenants: readonly { key: string; queues: readonly string[] }[];
}

/** What the many-queues scenario measured beside its table rows. */
export interface ManyQueuesResult {
  tenants: number;
  queues: number;
  /** The service's largest VmRSS sampled while the scenarios ran, and after it idled. */
  rssDuringMax: number;
  rssAfter: number;
}

/** The process's resident set size now (VmRSS, bytes), undefined where /proc is unavailable. */
export function rssOf(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS until stopped; the largest sample. */
export function sampleRss(pid: number) {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, rssOf(pid) ?? 0)), RSS_SAMPLE_MS);
  return () => {
    clearInterval(timer);
    return max;
  };
}

/**
 * queue-status and availability spread round-robin over every queue of every tenant, each
 * request with its tenant's key: a SaaS node's visitors, thousands of queues polled at once.
 */
export function manyQueuesScenarios(layout: ManyQueues): Scenario[] {
  const all = layout.tenants.flatMap((t) => t.queues.map((q) => ({ key: t.key, queue: q })));
  const spread = (
    name: string,
    pathOf: (queue: string) => string,
    headers: Record<string, string> = {},
  ): Scenario => {
    let i = 0;
    let last = { key: '', queue: '' };
    return {
      name: `${name} (${all.length} queues)`,
      method: 'GET',
      path: () => {
        last = all[i++ % all.length] ?? last;
        return pathOf(last.queue);
      },
      // Asked right after the path (load.ts): the key of the tenant whose queue it names.
      headersFor: () => ({ ...headers, 'x-api-key': last.key }),
    };
  };
  return [
    spread('queue-status', (q) => `${API}/queue-status/${q}`),
    spread('availability', (q) => `${API}/availability/${q}?numberOfDays=7`),
    // As browsers and the GES clients ask: compressed answers are what a node keeps of thousands.
    spread('availability br', (q) => `${API}/availability/${q}?numberOfDays=7`, {
      'accept-encoding': 'gzip, deflate, br',
    }),
  ];
}

/** Runs the scenarios with the RSS sampled during them and once the service has idled. */
export async function measureManyQueues(
  layout: ManyQueues,
  pid: number,
  measure: (s: Scenario) => Promise<{ scenario: Measured; hello: Measured }>,
) {
  const rows: { scenario: Measured; hello: Measured }[] = [];
  const stop = sampleRss(pid);
  for (const s of manyQueuesScenarios(layout)) rows.push(await measure(s));
  const rssDuringMax = stop();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const result: ManyQueuesResult = {
    tenants: layout.tenants.length,
    queues: layout.tenants.reduce((n, t) => n + t.queues.length, 0),
    rssDuringMax,
    rssAfter: rssOf(pid) ?? 0,
  };
  return { rows, result };
}

/** The many-queues RSS line. */
export function printManyQueues(r: ManyQueuesResult): void {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  process.stdout.write(
    `Many queues: ${r.tenants} tenants × ${r.queues / r.tenants} queues: service RSS ` +
      `${mib(r.rssDuringMax)} at most while measured, ${mib(r.rssAfter)} after ${SETTLE_MS / 1000} s idle\n`,
  );
}
