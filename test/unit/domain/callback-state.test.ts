import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATES,
  CANCELLABLE_STATES,
  DISPATCH_ORDER,
  RESCHEDULABLE_STATES,
  afterAttempt,
  initialState,
} from '../../../src/domain/callback-state.js';

describe('the callback state machine', () => {
  it('starts an immediate callback QUEUED and a scheduled one SCHEDULED', () => {
    expect(initialState(true)).toBe('QUEUED');
    expect(initialState(false)).toBe('SCHEDULED');
  });

  it('never lets a call in progress or a finished callback be cancelled or rescheduled', () => {
    expect(CANCELLABLE_STATES).not.toContain('PROCESSING');
    expect(CANCELLABLE_STATES).not.toContain('COMPLETED');
    expect(RESCHEDULABLE_STATES).toEqual(['SCHEDULED', 'QUEUED']);
    for (const s of CANCELLABLE_STATES) expect(ACTIVE_STATES).toContain(s);
  });

  it('completes a connected or failed attempt with the outcome as reason', () => {
    expect(afterAttempt('AGENT_CONNECTED', 1, 3)).toEqual({
      state: 'COMPLETED',
      reason: 'AGENT_CONNECTED',
    });
    expect(afterAttempt('FAIL_ERROR', 1, 3)).toEqual({ state: 'COMPLETED', reason: 'FAIL_ERROR' });
  });

  it('retries no answer and busy until maxAttempts, then fails FAIL_CALL_TO_CUSTOMER', () => {
    expect(afterAttempt('NO_ANSWER', 1, 2)).toEqual({ state: 'SCHEDULED' });
    expect(afterAttempt('BUSY', 2, 2)).toEqual({
      state: 'COMPLETED',
      reason: 'FAIL_CALL_TO_CUSTOMER',
    });
  });

  it('dials higher priority first, then who asked first', () => {
    expect(DISPATCH_ORDER.map((k) => `${k.column} ${k.direction}`)).toEqual([
      'priority desc',
      'requested_at asc',
      'id asc',
    ]);
  });
});
