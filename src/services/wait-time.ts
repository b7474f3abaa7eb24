import { EWT_HISTORY_SIZE, ewtMode1, ewtMode2 } from '../domain/ewt.js';
import type { Store } from '../store/index.js';
import type { QueueActivity } from './callback-events.js';
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
const EWT_CACHE_MS = 1_000;
const EWT_CACHE_LIMIT = 10_000;

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
  private readonly cache = new Map<string, { version: number; at: number; ewt: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly activity: QueueActivity,
    private readonly agents: AgentSource = noAgents,
  ) {}

  /**
   * EWT in seconds for a newcomer (mode2 without agent data uses mode1); -1 when unknown.
   * Every web visitor polls it, so it is remembered until the queue changes on this node, and
   * for at most a second (changes made by other nodes).
   */
  async estimate(tenantId: string, serviceName: string, mode: EwtMode = 'mode2'): Promise<number> {
    const key = `${tenantId}\u0000${serviceName}\u0000${mode}`;
    const version = this.activity.version(tenantId, serviceName);
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.version === version && now - hit.at >= 0 && now - hit.at < EWT_CACHE_MS) {
      return hit.ewt;
    }
    const ewt = await this.compute(tenantId, serviceName, mode);
    if (this.cache.size >= EWT_CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, { version, at: now, ewt });
    return ewt;
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
