// Estimated wait time (EWT) arithmetic, in whole seconds; -1 means "cannot be estimated".

/** How many recent completed callbacks mode 1 averages over. */
export const EWT_HISTORY_SIZE = 32;

function mean(values: readonly number[]): number | undefined {
  const usable = values.filter((v) => Number.isFinite(v) && v >= 0);
  if (usable.length === 0) return undefined;
  return usable.reduce((a, b) => a + b, 0) / usable.length;
}

/**
 * Mode 1, from the queue's own throughput: each waiting callback ahead takes the mean handle time
 * of the last 32 completed ones (one line served at a time, so a cautious figure). -1 without
 * history.
 */
export function ewtMode1(input: {
  pending: number;
  recentHandleTimesSeconds: readonly number[];
}): number {
  const handle = mean(input.recentHandleTimesSeconds.slice(-EWT_HISTORY_SIZE));
  if (handle === undefined) return -1;
  return Math.ceil(Math.max(0, input.pending) * handle);
}

/**
 * Mode 2, from the agents the dialer reports: a newcomer waits until the callbacks ahead of it,
 * less the agents free right now, have been handed off; logged-in agents hand off one every
 * avgHandleSeconds / agentsLoggedIn. -1 when no agent is logged in or handle time is unknown.
 */
export function ewtMode2(input: {
  pending: number;
  agentsLoggedIn: number;
  agentsAvailable: number;
  avgHandleSeconds: number;
}): number {
  const { pending, agentsLoggedIn, agentsAvailable, avgHandleSeconds } = input;
  if (!(agentsLoggedIn > 0) || !Number.isFinite(avgHandleSeconds) || avgHandleSeconds <= 0) {
    return -1;
  }
  const available = Math.max(0, Math.min(agentsAvailable, agentsLoggedIn));
  const ahead = Math.max(0, pending);
  if (available > ahead) return 0;
  return Math.ceil(((ahead - available + 1) * avgHandleSeconds) / agentsLoggedIn);
}
