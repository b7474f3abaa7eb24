import type { Db } from '../db.js';
import { notCompleted } from './callbacks.js';
import { STATE, type CallbackState } from '../../domain/callback-state.js';

/** Counts of one queue's callbacks for the statistics panel. */
export interface QueueCounts {
  waiting: number;
  scheduledToday: number;
  inProgress: number;
  completedTodayByReason: Record<string, number>;
  averageWaitSeconds: number | null;
}

/** Read-only counts behind OpenCallback's own queue statistics. */
export class QueueStatsRepo {
  constructor(private readonly db: Db) {}

  /** Number of not-yet-completed callbacks of a queue per state. */
  async activeByState(tenantId: string, serviceName: string): Promise<Map<CallbackState, number>> {
    const rows = await this.db.kysely
      .selectFrom('callbacks')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName)
      .where(notCompleted)
      .groupBy('state')
      .execute();
    return new Map(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** A queue's counts for the local day [dayStart, dayEnd). */
  async queueCounts(
    tenantId: string,
    serviceName: string,
    dayStart: number,
    dayEnd: number,
  ): Promise<QueueCounts> {
    const q = this.db.kysely;
    const base = q
      .selectFrom('callbacks')
      .where('tenant_id', '=', tenantId)
      .where('service_name', '=', serviceName);
    const [byState, scheduled, completed, waits] = await Promise.all([
      this.activeByState(tenantId, serviceName),
      base
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', STATE.SCHEDULED)
        .where(notCompleted)
        .where('desired_time', '>=', dayStart)
        .where('desired_time', '<', dayEnd)
        .executeTakeFirstOrThrow(),
      base
        .select(['reason', (eb) => eb.fn.countAll<number>().as('n')])
        .where('completed_at', '>=', dayStart)
        .where('completed_at', '<', dayEnd)
        .groupBy('reason')
        .execute(),
      base
        .select((eb) => [
          eb.fn.avg<number>(eb('claimed_at', '-', eb.ref('desired_time'))).as('avg'),
        ])
        .where('claimed_at', '>=', dayStart)
        .where('claimed_at', '<', dayEnd)
        .executeTakeFirstOrThrow(),
    ]);
    const count = (state: CallbackState) => byState.get(state) ?? 0;
    const avg = waits.avg === null ? null : Number(waits.avg);
    return {
      waiting: count(STATE.QUEUED),
      scheduledToday: Number(scheduled.n),
      inProgress: count(STATE.ROUTING) + count(STATE.PROCESSING),
      completedTodayByReason: Object.fromEntries(
        completed.map((r) => [r.reason ?? 'UNKNOWN', Number(r.n)]),
      ),
      averageWaitSeconds:
        avg === null || Number.isNaN(avg) ? null : Math.max(0, Math.round(avg / 1000)),
    };
  }
}
