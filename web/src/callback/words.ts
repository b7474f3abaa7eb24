// The callback's states, reasons and events in everyday words (the raw names stay in exports and
// the API).

export const REASON_WORDS: Record<string, string> = {
  AGENT_CONNECTED: 'connected to an agent',
  CANCELLED: 'cancelled by the customer',
  CANCELLED_BY_ADMIN: 'cancelled in the console',
  PURGED: 'purged: not called before the office closed',
  FAIL_TIMEOUT_TTL: 'expired before it could be called',
  FAIL_CALL_TO_CUSTOMER: 'the customer could not be reached',
  FAIL_AGENT_CONNECT: 'no agent could take the call',
  FAIL_ERROR: 'failed on an error',
};

const EVENT_WORDS: Record<string, string> = {
  'callback.created': 'Booked',
  'callback.scheduled': 'Scheduled',
  'callback.queued': 'Due: waiting for an agent',
  'callback.routing': 'Taken by an agent or dialer',
  'callback.processing': 'Call started',
  'callback.rescheduled': 'Moved to another time',
  'callback.cancelled': 'Cancelled',
  'callback.completed': 'Finished',
};

/** One history entry in words, with the dial outcome where the entry carries one. */
export function eventWords(
  type: string,
  snapshot: Record<string, unknown> | null,
  previousAttempts: number,
): string {
  const base = EVENT_WORDS[type] ?? type.replace(/^callback\./, '').replace(/[._]/g, ' ');
  const reason = typeof snapshot?.reason === 'string' ? REASON_WORDS[snapshot.reason] : undefined;
  const attempts = typeof snapshot?.attempts === 'number' ? snapshot.attempts : previousAttempts;
  // A callback back to waiting with one more attempt means the last call did not get through.
  const retried =
    attempts > previousAttempts && reason === undefined
      ? ` · call not answered, attempt ${attempts} failed`
      : '';
  if (type === 'callback.cancelled' && reason !== undefined)
    return reason.charAt(0).toUpperCase() + reason.slice(1);
  return `${base}${reason ? ` · ${reason}` : ''}${retried}`;
}
