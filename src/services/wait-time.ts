import { EWT_HISTORY_SIZE, ewtMode1, ewtMode2 } from '../domain/ewt.js';
import type { Store } from '../store/index.js';
import { QueueFigures, type QueueActivity } from './callback-events.js';
import type { Clock } from './clock.js';

export type EwtMode = 'mode1' | 'mode2';

/** Live agent counts a dialer reports for a queue. */
export interface AgentCounts {
  loggedIn: number;
  available: number;
}

/** Where agent counts come from (the dispatch API records them). */
export interface AgentSource {
  agentsFor(tenantId: string, serviceName: string): Promise<AgentCounts | undefined>;
}

const noAgents: AgentSource = { agentsFor: async () => undefined };

/** Gaps between consecutive completions: the queue's recent throughput, in seconds per callback. */
function completionGaps(completionsNewestFirst: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < completionsNewestFirst.length; i++) {
    const newer = completionsNewestFirst[i - 1] ?? 0;
    const older = completionsNewestFirst[i] ?? 0;
    gaps.push((newer - older) / 1000);
  }
  return gaps;
}

/** Estimated wait time of a queue, as GES computes it (mode1: throughput; mode2: with agents). */
export class WaitTimeService {
  private readonly figures: QueueFigures<number>;

  constructor(
    private readonly store: Store,
    clock: Clock,
    activity: QueueActivity,
    private readonly agents: AgentSource = noAgents,
  ) {
    this.figures = new QueueFigures(activity, () => clock.now());
  }

  /**
   * EWT in seconds for a newcomer (mode2 without agent data uses mode1); -1 when unknown.
   * Every web visitor polls it, so it is remembered until the queue changes (see QueueFigures).
   */
  estimate(tenantId: string, serviceName: string, mode: EwtMode = 'mode2'): Promise<number> {
    return this.figures.get(tenantId, serviceName, mode, () =>
      this.compute(tenantId, serviceName, mode),
    );
  }

  private async compute(tenantId: string, serviceName: string, mode: EwtMode): Promise<number> {
    const [pending, completions] = await Promise.all([
      this.store.callbacks.countQueued(tenantId, serviceName),
      this.store.callbacks.recentCompletions(tenantId, serviceName, EWT_HISTORY_SIZE),
    ]);
    const gaps = completionGaps(completions);
    const throughput = () => ewtMode1({ pending, recentHandleTimesSeconds: gaps });
    if (mode === 'mode1') return throughput();
    const agents = await this.agents.agentsFor(tenantId, serviceName);
    // Without a fresh agent report the queue's own throughput is still an estimate (SPEC: -1 only
    // when none can be made).
    if (!agents) return throughput();
    const secondsPerCallback =
      gaps.length === 0 ? Number.NaN : gaps.reduce((a, b) => a + b, 0) / gaps.length;
    // Throughput already reflects every agent working; one agent's handle time is that × agents.
    return ewtMode2({
      pending,
      agentsLoggedIn: agents.loggedIn,
      agentsAvailable: agents.available,
      avgHandleSeconds: secondsPerCallback * Math.max(1, agents.loggedIn),
    });
  }
}
