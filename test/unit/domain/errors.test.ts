import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';

describe('AppError', () => {
  it('captures no stack for a refusal (4xx) but keeps it for a fault (5xx)', () => {
    const limit = Error.stackTraceLimit;
    const refusal = new AppError('MISSING_API_KEY');
    expect(refusal.stack).not.toMatch(/\n\s+at /);
    expect(refusal.code).toBe(40101);
    const fault = new AppError('INTERNAL');
    expect(fault.stack).toMatch(/\n\s+at /);
    // Other errors still get their stacks.
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('x').stack).toMatch(/\n\s+at /);
  });
});
