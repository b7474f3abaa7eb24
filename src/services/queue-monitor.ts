import { endOfLocalDay, startOfLocalDay } from '../domain/time.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../infra/clock.js';
import type { DispatchService } from './dispatch.js';
import type { QueueService } from './queues.js';
import type { WaitTimeService } from './wait-time.js';

/** Per-queue statistics for the console's live panel and for /metrics. */
export class QueueMonitorService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly waitTime: WaitTimeService,
    private readonly dispatch: DispatchService,
  ) {}

  /** Every queue of a tenant: waiting, scheduled today, in progress, completed today by reason, average wait, EWT, agents. */
  async forTenant(tenantId: string) {
    const now = this.clock.now();
    const settings = await this.queues.list(tenantId);
    return Promise.all(
      settings.map(async (s) => {
        const [counts, ewt, agents] = await Promise.all([
          this.store.queueStats.queueCounts(
            tenantId,
            s.name,
            startOfLocalDay(now, s.timezone),
            endOfLocalDay(now, s.timezone),
          ),
          this.waitTime.estimate(tenantId, s.name),
          this.dispatch.agentsFor(tenantId, s.name),
        ]);
        return {
          serviceName: s.name,
          timezone: s.timezone,
          ...counts,
          ewt,
          agents: agents ?? null,
        };
      }),
    );
  }
}
