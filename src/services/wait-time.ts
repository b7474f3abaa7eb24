import { EWT_HISTORY_SIZE, ewtMode1, ewtMode2 } from '../domain/ewt.js';
import type { Store } from '../store/index.js';
import type { QueueActivity } from '../infra/queue-activity.js';
import { QueueFigures } from '../infra/queue-figures.js';
import type { Clock } from '../infra/clock.js';

/** mode1: throughput; mode2: with agents; mode3: the statistics OpenCallback keeps (as mode2). */
export type EwtMode = 'mode1' | 'mode2' | 'mode3';

/** Live agent counts a dialer reports for a queue. */
export interface AgentCounts {
  loggedIn: number;
  available: number;
}

/** The agent counts a dialer last reported, counting until `freshUntil` (epoch ms). */
export interface AgentReport extends AgentCounts {
  freshUntil: number;
}

/** The counts of a report still fresh at `now`. */
export function freshAgents(report: AgentReport | undefined, now: number): AgentCounts | undefined {
  if (!report || now > report.freshUntil) return undefined;
  return { loggedIn: report.loggedIn, available: report.available };
}

/** Where agent reports come from (the dispatch API records them). */
export interface AgentSource {
  agentReport(tenantId: string, serviceName: string): Promise<AgentReport | undefined>;
}

const noAgents: AgentSource = { agentReport: async () => undefined };

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

/** What EWT is computed from, read once per queue version; the report's freshness is not. */
interface EwtInputs {
  pending: number;
  gaps: number[];
  report: AgentReport | undefined;
}

/** Estimated wait time of a queue, as GES computes it (mode1: throughput; mode2: with agents). */
export class WaitTimeService {
  private readonly figures: QueueFigures<EwtInputs>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    activity: QueueActivity,
    private readonly agents: AgentSource = noAgents,
    memoryBytes = 8 * 2 ** 20,
  ) {
    this.figures = new QueueFigures(activity, () => clock.now(), undefined, undefined, {
      budgetBytes: memoryBytes,
      // The recent handling gaps are the bulk of it.
      sizeOf: (inputs) => 100 + inputs.gaps.length * 8,
    });
  }

  /**
   * EWT in seconds for a newcomer (mode2 without agent data uses mode1); -1 when unknown.
   * Every web visitor polls it, so its inputs are remembered until the queue changes.
   */
  async estimate(tenantId: string, serviceName: string, mode: EwtMode = 'mode2', extraAhead = 0) {
    const inputs = await this.inputs(tenantId, serviceName);
    return this.ewtFor(inputs, inputs.pending + extraAhead, mode);
  }

  /**
   * The mode2 EWT with the agent counts a dialer last reported for the queue (undefined: none
   * fresh), from one read of the remembered inputs (queue-status asks both on every poll).
   */
  async estimateWithAgents(
    tenantId: string,
    serviceName: string,
  ): Promise<{ estimate: number; agents: AgentCounts | undefined }> {
    const inputs = await this.inputs(tenantId, serviceName);
    return {
      estimate: this.ewtFor(inputs, inputs.pending, 'mode2'),
      agents: freshAgents(inputs.report, this.clock.now()),
    };
  }

  /** The wait of a callback with `ahead` callbacks before it in the queue, by the same model. */
  async waitBehind(tenantId: string, serviceName: string, ahead: number, mode: EwtMode = 'mode2') {
    return this.ewtFor(await this.inputs(tenantId, serviceName), ahead, mode);
  }

  private inputs(tenantId: string, serviceName: string): Promise<EwtInputs> {
    return this.figures.get(tenantId, serviceName, 'ewt-inputs', async () => {
      const [pending, completions, report] = await Promise.all([
        this.store.callbacks.countQueued(tenantId, serviceName),
        this.store.callbacks.recentCompletions(tenantId, serviceName, EWT_HISTORY_SIZE),
        this.agents.agentReport(tenantId, serviceName),
      ]);
      return { pending, gaps: completionGaps(completions), report };
    });
  }

  /** EWT for a callback with `ahead` callbacks before it, with the agents reported as of now. */
  private ewtFor(inputs: EwtInputs, ahead: number, mode: EwtMode): number {
    return ewtOf(inputs.gaps, freshAgents(inputs.report, this.clock.now()), ahead, mode);
  }
}

/** EWT for a callback with `ahead` callbacks before it. */
function ewtOf(
  gaps: readonly number[],
  agents: AgentCounts | undefined,
  ahead: number,
  mode: EwtMode,
): number {
  const throughput = () => ewtMode1({ pending: ahead, recentHandleTimesSeconds: gaps });
  // Without a fresh agent report the queue's own throughput is still an estimate (SPEC: -1 only
  // when none can be made).
  if (mode === 'mode1' || !agents) return throughput();
  const secondsPerCallback =
    gaps.length === 0 ? Number.NaN : gaps.reduce((a, b) => a + b, 0) / gaps.length;
  // Throughput already reflects every agent working; one agent's handle time is that × agents.
  return ewtMode2({
    pending: ahead,
    agentsLoggedIn: agents.loggedIn,
    agentsAvailable: agents.available,
    avgHandleSeconds: secondsPerCallback * Math.max(1, agents.loggedIn),
  });
}
