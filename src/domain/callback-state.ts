/**
 * The callback state machine: the states, the sets the rest of the code asks about, the outcome of
 * a call attempt and the dispatch order. Code outside domain/ names states through `STATE` (lint
 * forbids the bare strings there), so a typo does not compile.
 */

/** The lifecycle states of a callback, in the order a callback passes through them. */
export const CALLBACK_STATES = [
  'SCHEDULED',
  'QUEUED',
  'ROUTING',
  'PROCESSING',
  'COMPLETED',
] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/** Each state by name: `STATE.QUEUED`. */
export const STATE = {
  SCHEDULED: 'SCHEDULED',
  QUEUED: 'QUEUED',
  ROUTING: 'ROUTING',
  PROCESSING: 'PROCESSING',
  COMPLETED: 'COMPLETED',
} as const satisfies { [S in CallbackState]: S };

export const isCallbackState = (s: string): s is CallbackState =>
  (CALLBACK_STATES as readonly string[]).includes(s);

/** States in which a callback still waits or is being worked (everything but COMPLETED). */
export const ACTIVE_STATES: readonly CallbackState[] = [
  STATE.SCHEDULED,
  STATE.QUEUED,
  STATE.ROUTING,
  STATE.PROCESSING,
];

/** States no dialer holds yet: what a bulk completion (purge, admin cancel) takes by default. */
export const WAITING_STATES: readonly CallbackState[] = [STATE.SCHEDULED, STATE.QUEUED];

/** States in which a callback is in the queue's line: the ones given a position and an EWT. */
export const IN_QUEUE_STATES: readonly CallbackState[] = [
  STATE.QUEUED,
  STATE.ROUTING,
  STATE.PROCESSING,
];

/** States in which a callback may still be cancelled (a call in progress may not). */
export const CANCELLABLE_STATES: readonly CallbackState[] = [
  STATE.SCHEDULED,
  STATE.QUEUED,
  STATE.ROUTING,
];

/** States in which a callback may still be given a new time. */
export const RESCHEDULABLE_STATES: readonly CallbackState[] = [STATE.SCHEDULED, STATE.QUEUED];

/** States a dialer holds a callback in: ROUTING (claimed) and PROCESSING (calling). */
export const HELD_STATES: readonly CallbackState[] = [STATE.ROUTING, STATE.PROCESSING];

/** The state a new callback starts in. */
export const initialState = (immediate: boolean): CallbackState =>
  immediate ? STATE.QUEUED : STATE.SCHEDULED;

/** What a dialer reports when a call attempt ends. */
export const OUTCOMES = [
  'AGENT_CONNECTED',
  'NO_ANSWER',
  'BUSY',
  'FAIL_AGENT_CONNECT',
  'FAIL_ERROR',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Where a callback goes after an attempt: completed with a reason, or scheduled for a retry. */
export type AfterAttempt =
  { state: typeof STATE.COMPLETED; reason: string } | { state: typeof STATE.SCHEDULED };

/**
 * The next state after attempt number `attempts` (counting this one) ended with `outcome`: no
 * answer or busy retries until `maxAttempts`, then fails FAIL_CALL_TO_CUSTOMER.
 */
export function afterAttempt(
  outcome: Outcome,
  attempts: number,
  maxAttempts: number,
): AfterAttempt {
  switch (outcome) {
    case 'AGENT_CONNECTED':
    case 'FAIL_AGENT_CONNECT':
    case 'FAIL_ERROR':
      return { state: STATE.COMPLETED, reason: outcome };
    case 'NO_ANSWER':
    case 'BUSY':
      return attempts >= maxAttempts
        ? { state: STATE.COMPLETED, reason: 'FAIL_CALL_TO_CUSTOMER' }
        : { state: STATE.SCHEDULED };
  }
}

/**
 * Whether `outcome` may lead to a retry, so that where it leads depends on the attempts made;
 * any other outcome ends the callback whatever the count.
 */
export function mayRetry(outcome: Outcome): boolean {
  return afterAttempt(outcome, 1, 2).state === STATE.SCHEDULED;
}

/** A key of the dispatch order. */
export interface OrderKey {
  column: 'priority' | 'requested_at' | 'id';
  direction: 'asc' | 'desc';
}

/**
 * The order in which QUEUED callbacks of a queue are dialled: higher priority first, then who asked
 * first (a retry keeps its requested_at), then the id to break ties the same way everywhere.
 */
export const DISPATCH_ORDER: readonly OrderKey[] = [
  { column: 'priority', direction: 'desc' },
  { column: 'requested_at', direction: 'asc' },
  { column: 'id', direction: 'asc' },
];
