import { AppError } from '../domain/errors.js';
import { STATE, type CallbackState } from '../domain/callback-state.js';
import { asRecord } from '../integrations/http-client.js';
import { StatisticsClient } from '../integrations/statistics.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../infra/clock.js';
import { statisticsConfig, type Endpoints } from './credential-kinds.js';
import { CredentialClients } from './credential-clients.js';
import type { CredentialService } from './credentials.js';
import type { QueueService } from './queues.js';
import type { WaitTimeService } from './wait-time.js';

/** The statistics OpenCallback answers itself, for a queue (objectId = the queue's name). */
export const OWN_STATISTICS = [
  'CallbacksWaiting',
  'CallbacksScheduled',
  'CallbacksInProgress',
  'EstimatedWaitTime',
] as const;
type OwnStatistic = (typeof OWN_STATISTICS)[number];
export const OWN_OBJECT_TYPE = 'CallbackService';
const MAX_STATISTICS = 50;

const isOwn = (name: string): name is OwnStatistic =>
  (OWN_STATISTICS as readonly string[]).includes(name);

/** One requested statistic in OpenCallback's own answer. */
export interface OwnStatisticValue {
  name: string;
  objectId: string;
  objectType: string;
  /** Count, or seconds for EstimatedWaitTime (-1 when it cannot be estimated); null when unknown. */
  value: number | null;
  timestamp: string;
  message?: string;
}

/** The `{name, objectId}` pairs of a get-statistic-ex body (`data.statistics` or `statistics`). */
function requestedStatistics(body: unknown): { name: string; objectId: string }[] | undefined {
  const root = asRecord(body);
  const list = asRecord(root?.data)?.statistics ?? root?.statistics;
  if (!Array.isArray(list)) return undefined;
  const out: { name: string; objectId: string }[] = [];
  for (const item of list) {
    const entry = asRecord(item);
    if (typeof entry?.name !== 'string' || typeof entry.objectId !== 'string') return undefined;
    out.push({ name: entry.name, objectId: entry.objectId });
  }
  return out;
}

/** True for a body-less request (no body, or `{}`). */
function isEmptyRequest(body: unknown): boolean {
  const root = asRecord(body);
  return (
    body === undefined || body === null || (root !== undefined && Object.keys(root).length === 0)
  );
}

/** get-statistic-ex: the tenant's registered statistics source, or OpenCallback's own queues. */
export class StatisticsService {
  private readonly clients: CredentialClients<'statistics', StatisticsClient>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly waitTime: WaitTimeService,
    credentials: CredentialService,
    endpoints: Endpoints,
  ) {
    this.clients = new CredentialClients(
      credentials,
      'statistics',
      // The service's clock, so a client's max-age is judged on the same time as everything else.
      (cred) =>
        new StatisticsClient({ ...statisticsConfig(cred, endpoints), now: () => clock.now() }),
    );
  }

  /**
   * Forwards the request to the registered source (answers cached as the source allows). Without
   * one, OpenCallback's own statistics answer; anything else is 40105.
   */
  async getStatisticEx(
    tenantId: string,
    body: unknown,
    opts: { maxAgeSeconds?: number | undefined } = {},
  ): Promise<unknown> {
    const client = await this.clients.get(tenantId);
    if (client === undefined) return { statistics: await this.own(tenantId, body) };
    const result = await client.getStatisticEx(body, opts);
    if (!result.ok) {
      throw new AppError(
        'UPSTREAM_FAILED',
        result.error.kind === 'auth'
          ? `${result.error.message}: update the statistics credential`
          : result.error.message,
      );
    }
    // A GES-style source wraps its answer in the same envelope we add: pass its data on.
    const answer = asRecord(result.body);
    return answer !== undefined && 'status' in answer && 'data' in answer
      ? answer.data
      : result.body;
  }

  private async own(tenantId: string, body: unknown): Promise<OwnStatisticValue[]> {
    // The official clients' statistics() sends no body: that asks for everything we can report.
    const everything = isEmptyRequest(body);
    const requested = everything
      ? (await this.queues.list(tenantId)).flatMap((q) =>
          OWN_STATISTICS.map((name) => ({ name, objectId: q.name })),
        )
      : requestedStatistics(body);
    const foreign = requested?.filter((s) => !isOwn(s.name)).map((s) => s.name) ?? [];
    if (requested === undefined || (requested.length === 0 && !everything) || foreign.length > 0) {
      throw new AppError(
        'NO_STATISTICS_CREDENTIALS',
        `No statistics credentials are registered${
          foreign.length > 0 ? ` for ${foreign.join(', ')}` : ''
        }; without them only OpenCallback's own statistics are available: ` +
          `{"data":{"statistics":[{"name":"${OWN_STATISTICS.join('|')}","objectId":"<queue name>"}]}}`,
      );
    }
    if (requested.length > MAX_STATISTICS && !everything) {
      throw new AppError(
        'INVALID_PARAMETER',
        `ask for at most ${MAX_STATISTICS} statistics at once`,
      );
    }
    const timestamp = new Date(this.clock.now()).toISOString();
    return Promise.all(
      requested.map(async ({ name, objectId }) => {
        const base = { name, objectId, objectType: OWN_OBJECT_TYPE, timestamp };
        const queue = await this.queues.find(tenantId, objectId);
        if (!queue || !isOwn(name)) return { ...base, value: null, message: 'Service not found' };
        return { ...base, value: await this.value(tenantId, queue.name, name) };
      }),
    );
  }

  private async value(tenantId: string, queue: string, name: OwnStatistic): Promise<number> {
    if (name === 'EstimatedWaitTime') return this.waitTime.estimate(tenantId, queue);
    const counts = await this.store.queueStats.activeByState(tenantId, queue);
    const count = (state: CallbackState) => counts.get(state) ?? 0;
    switch (name) {
      case 'CallbacksWaiting':
        return count(STATE.QUEUED);
      case 'CallbacksScheduled':
        return count(STATE.SCHEDULED);
      case 'CallbacksInProgress':
        return count(STATE.ROUTING) + count(STATE.PROCESSING);
    }
  }
}
