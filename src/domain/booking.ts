import { AppError } from './errors.js';
import type { DuplicateCheck, QueueSettings } from './queue-settings.js';

/** How far in the past a desired time may be and still count as "now" (clock skew, slow clients). */
export const PAST_GRACE_MS = 5 * 60_000;
const USER_DATA_MAX_KEYS = 100;
const USER_DATA_MAX_BYTES = 16 * 1024;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// The state machine lives in callback-state.ts; re-exported for the routes and the console that
// import it from here until they move.
export {
  CALLBACK_STATES,
  CANCELLABLE_STATES,
  RESCHEDULABLE_STATES,
  isCallbackState,
  type CallbackState,
} from './callback-state.js';

const OFFER_TYPES = ['ASAP', 'SCHEDULED', 'COMBINED_SCHEDULED_AND_ASAP'];

/** The reported offer type: a known one as sent, anything else derived from desiredTime (GES). */
export function offerTypeOf(sent: string | undefined, immediate: boolean): string {
  const known = OFFER_TYPES.find((t) => t === sent?.trim().toUpperCase());
  return known ?? (immediate ? 'ASAP' : 'SCHEDULED');
}

/**
 * Decides whether a request is immediate and checks the desired time against the queue's limits:
 * not further ahead than maxScheduleAheadDays, not in the past beyond a small grace.
 */
export function resolveDesiredTime(
  desiredMs: number | undefined,
  nowMs: number,
  settings: QueueSettings,
): { desiredMs: number; immediate: boolean } {
  if (desiredMs === undefined) return { desiredMs: nowMs, immediate: true };
  if (desiredMs < nowMs - PAST_GRACE_MS) {
    throw new AppError('INVALID_PARAMETER', 'desiredTime is in the past');
  }
  const latest = nowMs + settings.maxScheduleAheadDays * 86_400_000;
  if (desiredMs > latest) {
    throw new AppError(
      'INVALID_PARAMETER',
      `desiredTime is more than ${settings.maxScheduleAheadDays} days ahead`,
    );
  }
  return desiredMs <= nowMs
    ? { desiredMs: nowMs, immediate: true }
    : { desiredMs, immediate: false };
}

/**
 * Keeps the userData entries a GES client may send: keys that are valid JavaScript identifiers,
 * values that are strings (numbers and booleans are written as strings); bounded in size.
 */
export function sanitizeUserData(input: unknown): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new AppError('INVALID_PARAMETER', 'userData must be an object of strings');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!IDENTIFIER.test(key)) continue;
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else throw new AppError('INVALID_PARAMETER', `userData.${key} must be a string`);
  }
  if (Object.keys(out).length > USER_DATA_MAX_KEYS) {
    throw new AppError('INVALID_PARAMETER', `userData may have at most ${USER_DATA_MAX_KEYS} keys`);
  }
  if (Buffer.byteLength(JSON.stringify(out)) > USER_DATA_MAX_BYTES) {
    throw new AppError('INVALID_PARAMETER', `userData may be at most ${USER_DATA_MAX_BYTES} bytes`);
  }
  return out;
}

/** How many active callbacks of one number a queue accepts (lenient: 2, strict: 1). */
export function duplicateLimit(check: DuplicateCheck): number {
  switch (check) {
    case 'lenient':
      return 2;
    case 'strict':
      return 1;
    case 'off':
      return Number.POSITIVE_INFINITY;
  }
}

/** A slot with how many callbacks it holds. */
export interface SlotUse {
  start: number;
  end: number;
  capacity: number;
  booked: number;
}

/** The `count` free slots nearest to `targetMs`, in time order (for a 42901 proposal). */
export function nearestFreeSlots(slots: readonly SlotUse[], targetMs: number, count: number) {
  return slots
    .filter((s) => s.booked < s.capacity)
    .sort((a, b) => Math.abs(a.start - targetMs) - Math.abs(b.start - targetMs))
    .slice(0, count)
    .sort((a, b) => a.start - b.start);
}
