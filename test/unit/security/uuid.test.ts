import { describe, expect, it } from 'vitest';
import { newUuidV7 } from '../../../src/security/tokens.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('UUIDv7 ids', () => {
  it('carry the millisecond, the version and the variant', () => {
    const now = Date.parse('2026-11-25T15:00:00.000Z');
    const id = newUuidV7(now + 10_000_000);
    expect(id).toMatch(V7);
    expect(msOf(id)).toBe(now + 10_000_000);
  });

  it('stay distinct and in order when many are minted in one millisecond', () => {
    const now = Date.parse('2027-01-01T00:00:00.000Z');
    const ids = Array.from({ length: 6000 }, () => newUuidV7(now));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(V7);
    // Past 4096 in one millisecond the next millisecond is borrowed, never a repeat.
    expect(msOf(ids.at(-1) ?? '')).toBeGreaterThanOrEqual(now);
  });

  it('never go backwards when the clock does', () => {
    const later = newUuidV7(Date.parse('2027-06-01T00:00:00.000Z'));
    const earlier = newUuidV7(Date.parse('2027-05-01T00:00:00.000Z'));
    expect(earlier > later).toBe(true);
  });
});
