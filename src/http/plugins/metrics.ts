import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../../services/index.js';

type QueueFigures = Awaited<ReturnType<Services['queueMonitor']['forTenant']>>[number];
interface QueueRow {
  tenant: string;
  figures: QueueFigures;
}

interface QueueGauge {
  help: string;
  value: (q: QueueFigures) => number;
  /** How the figures of all queues combine when tenants are not labelled. */
  combine: 'sum' | 'max';
}

// Per-queue figures, read from the store when Prometheus scrapes (never on the request path).
const QUEUE_GAUGES: Record<string, QueueGauge> = {
  waiting: {
    help: 'Callbacks QUEUED, waiting for an agent',
    value: (q) => q.waiting,
    combine: 'sum',
  },
  scheduled_today: {
    help: 'Callbacks SCHEDULED for today (queue time zone)',
    value: (q) => q.scheduledToday,
    combine: 'sum',
  },
  in_progress: {
    help: 'Callbacks ROUTING or PROCESSING',
    value: (q) => q.inProgress,
    combine: 'sum',
  },
  ewt: {
    help: 'Estimated wait time in seconds (-1 unknown); without tenant labels the longest',
    value: (q) => q.ewt,
    combine: 'max',
  },
  agents_logged_in: {
    help: 'Agents logged in as last reported by a dialer',
    value: (q) => q.agents?.loggedIn ?? 0,
    combine: 'sum',
  },
};

/**
 * Registers the queue gauges; the returned function starts a new scrape. Without `labelTenants`
 * the figures are totals over every queue, so an open /metrics names no tenant and no queue.
 */
function registerQueueGauges(
  registry: Registry,
  services: Services,
  labelTenants: boolean,
): () => void {
  // The gauges are collected concurrently; they share one read of the queues per scrape.
  let current: Promise<QueueRow[]> | undefined;
  const snapshot = () => {
    if (!current) {
      current = (async () => {
        const out: QueueRow[] = [];
        for (const tenant of await services.tenants.list()) {
          for (const figures of await services.queueMonitor.forTenant(tenant.id)) {
            out.push({ tenant: tenant.id, figures });
          }
        }
        return out;
      })();
    }
    return current;
  };
  const where = labelTenants ? (['tenant', 'queue'] as const) : ([] as const);
  for (const [name, { help, value, combine }] of Object.entries(QUEUE_GAUGES)) {
    new Gauge({
      name: `opencallback_queue_${name}`,
      help,
      labelNames: where,
      registers: [registry],
      async collect() {
        this.reset();
        const rows = await snapshot();
        if (labelTenants) {
          for (const r of rows) {
            this.set({ tenant: r.tenant, queue: r.figures.serviceName }, value(r.figures));
          }
          return;
        }
        const values = rows.map((r) => value(r.figures));
        if (values.length === 0) return;
        this.set(combine === 'max' ? Math.max(...values) : values.reduce((sum, v) => sum + v, 0));
      },
    });
  }
  new Gauge({
    name: 'opencallback_queue_completed_today',
    help: 'Callbacks completed today by reason (queue time zone)',
    labelNames: [...where, 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      const totals = new Map<string, number>();
      for (const r of await snapshot()) {
        for (const [reason, n] of Object.entries(r.figures.completedTodayByReason)) {
          if (labelTenants) this.set({ tenant: r.tenant, queue: r.figures.serviceName, reason }, n);
          else totals.set(reason, (totals.get(reason) ?? 0) + n);
        }
      }
      for (const [reason, n] of totals) this.set({ reason }, n);
    },
  });
  return () => {
    current = undefined;
  };
}

const REQUEST_LABELS = ['method', 'route', 'status'] as const;

/** Requests of one route and method, by status. */
interface RouteCounts {
  labels: { method: string; route: string };
  byStatus: Map<number, number>;
}

/** What /metrics serves. */
export interface Metrics {
  contentType: string;
  /** The Prometheus text of a fresh scrape. */
  scrape(): Promise<string>;
}

/**
 * Per-app metrics: requests by route and status, queue figures, process metrics. Tenant and
 * queue labels only when `labelTenants` (a METRICS_TOKEN guards the endpoint).
 */
export function registerMetrics(
  app: FastifyInstance,
  services: Services,
  opts: { labelTenants: boolean },
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'opencallback_' });
  const newScrape = registerQueueGauges(registry, services, opts.labelTenants);
  // Counted here and handed to prom-client when scraped: its Counter.inc builds a result object
  // over every label set on each call, a per-request cost for a figure read once per scrape.
  // Counts sit per route (its config object, one per route and the not-found handler) and method,
  // so a request finds its own without building a key.
  const byRoute = new WeakMap<object, Map<string, RouteCounts>>();
  const allCounts: RouteCounts[] = [];
  new Counter({
    name: 'opencallback_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: REQUEST_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const route of allCounts) {
        for (const [status, n] of route.byStatus)
          this.inc({ ...route.labels, status: String(status) }, n);
      }
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
  const countsOf = (config: object, method: string, route: string): RouteCounts => {
    let methods = byRoute.get(config);
    if (methods === undefined) byRoute.set(config, (methods = new Map<string, RouteCounts>()));
    let counts = methods.get(method);
    if (counts === undefined) {
      counts = { labels: { method, route }, byStatus: new Map() };
      methods.set(method, counts);
      allCounts.push(counts);
    }
    return counts;
  };
  app.addHook('onResponse', (request, reply, done) => {
    const options = request.routeOptions;
    // The route pattern, not the URL, keeps label cardinality bounded.
    const counts = countsOf(options.config, request.method, options.url ?? 'unmatched');
    counts.byStatus.set(reply.statusCode, (counts.byStatus.get(reply.statusCode) ?? 0) + 1);
    latency.observe(counts.labels, reply.elapsedTime / 1000);
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request completed',
    );
    done();
  });
  return {
    contentType: registry.contentType,
    scrape: () => {
      newScrape();
      return registry.metrics();
    },
  };
}
