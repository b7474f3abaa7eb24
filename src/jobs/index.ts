import type { Config } from '../config.js';
import type { Services } from '../services/index.js';
import type { Job } from './scheduler.js';

const MINUTE = 60_000;

/** The jobs every node runs (each safe to run on several nodes at once). */
export function standardJobs(config: Config, services: Services): Job[] {
  return [
    {
      name: 'tenant-config-refresh',
      everyMs: config.tenantConfigRefreshMinutes * MINUTE,
      // The server applies the configuration before it listens.
      firstDelayMs: config.tenantConfigRefreshMinutes * MINUTE,
      run: () => services.tenantConfig.refresh(),
    },
    { name: 'error-log-prune', everyMs: 10 * MINUTE, run: () => services.errors.pruneAll() },
    { name: 'session-prune', everyMs: 5 * MINUTE, run: () => services.access.pruneSessions() },
  ];
}
