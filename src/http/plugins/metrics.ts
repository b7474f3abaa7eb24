import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../../services/index.js';

type QueueFigures = Awaited<ReturnType<Services['stats']['forTenant']>>[number];
interface QueueRow {
  tenant: string;
  figures: QueueFigures;
}

// Per-queue figures, read from the store when Prometheus scrapes (never on the request path).
const QUEUE_GAUGES: Record<string, { help: string; value: (q: QueueFigures) => number }> = {
  waiting: { help: 'Callbacks QUEUED, waiting for an agent', value: (q) => q.waiting },
  scheduled_today: {
    help: 'Callbacks SCHEDULED for today (queue time zone)',
    value: (q) => q.scheduledToday,
  },
  in_progress: { help: 'Callbacks ROUTING or PROCESSING', value: (q) => q.inProgress },
  ewt: { help: 'Estimated wait time in seconds (-1 unknown)', value: (q) => q.ewt },
  agents_logged_in: {
    help: 'Agents logged in as last reported by a dialer',
    value: (q) => q.agents?.loggedIn ?? 0,
  },
};

/** Registers the queue gauges; the returned function starts a new scrape. */
function registerQueueGauges(registry: Registry, services: Services): () => void {
  // The gauges are collected concurrently; they share one read of the queues per scrape.
  let current: Promise<QueueRow[]> | undefined;
  const snapshot = () => {
    if (!current) {
      current = (async () => {
        const out: QueueRow[] = [];
        for (const tenant of await services.tenants.list()) {
          for (const figures of await services.stats.forTenant(tenant.id)) {
            out.push({ tenant: tenant.id, figures });
          }
        }
        return out;
      })();
    }
    return current;
  };
  for (const [name, { help, value }] of Object.entries(QUEUE_GAUGES)) {
    new Gauge({
      name: `opencallback_queue_${name}`,
      help,
      labelNames: ['tenant', 'queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await snapshot()) {
          this.set({ tenant: r.tenant, queue: r.figures.serviceName }, value(r.figures));
        }
      },
    });
  }
  new Gauge({
    name: 'opencallback_queue_completed_today',
    help: 'Callbacks completed today by reason (queue time zone)',
    labelNames: ['tenant', 'queue', 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await snapshot()) {
        for (const [reason, n] of Object.entries(r.figures.completedTodayByReason)) {
          this.set({ tenant: r.tenant, queue: r.figures.serviceName, reason }, n);
        }
      }
    },
  });
  return () => {
    current = undefined;
  };
}

const REQUEST_LABELS = ['method', 'route', 'status'] as const;
type RequestLabel = (typeof REQUEST_LABELS)[number];

/** What /metrics serves. */
export interface Metrics {
  contentType: string;
  /** The Prometheus text of a fresh scrape. */
  scrape(): Promise<string>;
}

/** Per-app metrics: requests by route and status, queue figures, process metrics. */
export function registerMetrics(app: FastifyInstance, services: Services): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opencallback_' });
  const newScrape = registerQueueGauges(registry, services);
  // Counted here and handed to prom-client when scraped: its Counter.inc builds a result object
  // over every label set on each call, a per-request cost for a figure read once per scrape.
  const requestCounts = new Map<string, { labels: Record<RequestLabel, string>; n: number }>();
  new Counter({
    name: 'opencallback_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: REQUEST_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, n } of requestCounts.values()) this.inc(labels, n);
    },
  });
  // Failures without a valid key or session are not any tenant's: counted here, without a tenant.
  new Counter({
    name: 'opencallback_unauthenticated_errors_total',
    help: 'API failures without a valid key or session, by the key presented (none, unknown, a known prefix)',
    labelNames: ['presented'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = services.errors.unauthenticated;
      this.inc({ presented: 'none' }, counts.missingKey);
      this.inc({ presented: 'unknown_key' }, counts.unknownKey);
      this.inc({ presented: 'known_prefix' }, counts.knownPrefix);
    },
  });
  const latency = new Histogram({
    name: 'opencallback_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${request.method} ${route} ${status}`;
    const counted = requestCounts.get(key);
    if (counted) counted.n++;
    else requestCounts.set(key, { labels: { method: request.method, route, status }, n: 1 });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request completed',
    );
  });
  return {
    contentType: registry.contentType,
    scrape: () => {
      newScrape();
      return registry.metrics();
    },
  };
}
