import autocannon from 'autocannon';

/** One HTTP scenario autocannon drives with `connections` concurrent connections. */
export interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  /** The path of each request (a function, so requests can spread over queues). */
  path: () => string;
  headers?: Record<string, string>;
  /** Headers for the request whose path was just taken (a tenant's key for its queue). */
  headersFor?: () => Record<string, string>;
  /** A fresh body per request (distinct phone numbers keep the per-number rules out of the way). */
  body?: () => unknown;
}

/** What a scenario measured. */
export interface Measured {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  /** Responses by status code, e.g. `200×5120 429×3`, plus failed connections. */
  statuses: string;
  /**
   * The server's CPU time per answered request, in µs: unlike req/s it barely moves with what
   * else the machine runs (the load generator, another process), as long as it is not swapping.
   */
  cpuUsPerRequest: number | undefined;
}

/** Reads the server's CPU time so far, in ms (`NodeChild.cpuMs`). */
export type CpuReader = () => number | undefined;

async function measure(
  base: string,
  s: Scenario,
  connections: number,
  seconds: number,
  cpu: CpuReader | undefined,
): Promise<Measured> {
  const body = s.body;
  const cpuBefore = cpu?.();
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...s.headers };
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: s.method,
        path: s.path(),
        headers,
        setupRequest: (req) => {
          const path = s.path();
          return {
            ...req,
            path,
            ...(s.headersFor ? { headers: { ...headers, ...s.headersFor() } } : {}),
            ...(body ? { body: JSON.stringify(body()) } : {}),
          };
        },
      },
    ],
  });
  const cpuAfter = cpu?.();
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, stat]) => `${code}×${stat.count ?? 0}`)
    .concat(
      result.errors + result.timeouts > 0 ? [`failed×${result.errors + result.timeouts}`] : [],
    )
    .join(' ');
  return {
    name: s.name,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    cpuUsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
  };
}

/** Measures each scenario after a short unrecorded warm-up (the JIT and caches settle first). */
export async function measureAll(
  base: string,
  scenarios: readonly Scenario[],
  connections: number,
  seconds: number,
  cpu?: CpuReader,
): Promise<Measured[]> {
  const warmUp = Math.max(1, Math.round(seconds / 5));
  const out: Measured[] = [];
  for (const s of scenarios) {
    process.stderr.write(`  ${s.name}…\n`);
    await measure(base, s, connections, warmUp, undefined);
    out.push(await measure(base, s, connections, seconds, cpu));
  }
  return out;
}
