import type { Config } from '../config.js';
import type { Services } from '../services/index.js';
import type { Job } from './scheduler.js';

const MINUTE = 60_000;

/** The jobs every node runs (each safe to run on several nodes at once). */
export function standardJobs(config: Config, services: Services): Job[] {
  const tick = config.jobIntervalMs;
  const { lifecycle, eventDispatcher, webhooks } = services;
  return [
    { name: 'promote-due', everyMs: tick, run: (now) => lifecycle.promoteDue(now) },
    { name: 'recover-leases', everyMs: tick, run: (now) => lifecycle.recoverLeases(now) },
    { name: 'dispatch-events', everyMs: tick, run: (now) => eventDispatcher.dispatch(now) },
    { name: 'deliver-webhooks', everyMs: tick, run: (now) => webhooks.deliverDue(now) },
    { name: 'raise-upcoming', everyMs: 15_000, run: (now) => lifecycle.raiseUpcoming(now) },
    { name: 'purge', everyMs: 30_000, run: (now) => lifecycle.purge(now) },
    { name: 'expire-ttl', everyMs: MINUTE, run: (now) => lifecycle.expireTtl(now) },
    { name: 'retention', everyMs: 60 * MINUTE, run: (now) => lifecycle.applyRetention(now) },
    {
      name: 'planner-statistics',
      everyMs: 60 * MINUTE,
      run: () => lifecycle.refreshPlannerStatistics(),
    },
    {
      name: 'tenant-config-refresh',
      everyMs: config.tenantConfigRefreshMinutes * MINUTE,
      // The server applies the configuration before it listens.
      firstDelayMs: config.tenantConfigRefreshMinutes * MINUTE,
      run: () => services.tenantConfig.refresh(),
    },
    // Purges and bulk cancels whose node died (or that were left to the scheduler).
    { name: 'admin-jobs', everyMs: tick, run: () => services.adminJobs.runDue() },
    { name: 'admin-jobs-prune', everyMs: 60 * MINUTE, run: () => services.adminJobs.prune() },
    { name: 'error-log-prune', everyMs: 10 * MINUTE, run: () => services.errors.pruneAll() },
    { name: 'session-prune', everyMs: 5 * MINUTE, run: () => services.access.pruneSessions() },
    { name: 'push-retry', everyMs: 30_000, run: (now) => services.push.retryPushDeliveries(now) },
    {
      name: 'credential-rewrap',
      everyMs: 60 * MINUTE,
      run: async () => {
        await services.credentials.rewrapAll();
        await services.webhooks.rewrapAll();
      },
    },
    {
      name: 'call-in-prune',
      everyMs: 60 * MINUTE,
      run: (now) => services.callIn.pruneRequests(now),
    },
  ];
}
