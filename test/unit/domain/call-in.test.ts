import { describe, expect, it } from 'vitest';
import { allocateNumber, parseCallInGroup, type CallInGroup } from '../../../src/domain/call-in.js';

const group = (over: Partial<CallInGroup> = {}): CallInGroup => ({
  name: 'sales',
  numbers: ['+18005550100', '+18005550101'],
  accessCodeEnabled: true,
  accessCodeLength: 2,
  expirySeconds: 60,
  ...over,
});
// Always the same "random" pick: the worst case for finding a free code.
const stuck = () => 0;

describe('call-in allocation', () => {
  it('finds the one free code of a nearly full number even when random picks keep colliding', () => {
    // Two-digit codes run 10–99: none starts with 0, which a GES client's number would drop.
    const live = Array.from({ length: 90 }, (_, i) => ({
      toPhoneNumber: '+18005550100',
      accessCode: String(10 + i),
    })).filter((h) => h.accessCode !== '73');
    const pick = allocateNumber(group({ numbers: ['+18005550100'] }), live, stuck);
    expect(pick).toEqual({ toPhoneNumber: '+18005550100', accessCode: '73' });
  });

  it('prefers the least used number and reports exhaustion as undefined', () => {
    const g = group({ accessCodeEnabled: false });
    expect(allocateNumber(g, [{ toPhoneNumber: '+18005550100', accessCode: null }], stuck)).toEqual(
      { toPhoneNumber: '+18005550101', accessCode: null },
    );
    const full = g.numbers.map((n) => ({ toPhoneNumber: n, accessCode: null }));
    expect(allocateNumber(g, full, stuck)).toBeUndefined();
  });

  it('a hold without a code blocks the number for every code', () => {
    const g = group({ numbers: ['+18005550100'] });
    expect(allocateNumber(g, [{ toPhoneNumber: '+18005550100', accessCode: null }], stuck)).toBe(
      undefined,
    );
  });

  it('validates groups and names the field that is wrong', () => {
    expect(parseCallInGroup({ name: 'x', numbers: ['800 555 0100'] })).toMatchObject({
      numbers: ['+18005550100'],
      accessCodeEnabled: false,
      accessCodeLength: 4,
      expirySeconds: 300,
    });
    expect(() => parseCallInGroup({ name: 'x', numbers: [] })).toThrow(/numbers must list/);
    expect(() =>
      parseCallInGroup({ name: 'x', numbers: ['+18005550100', '+1 800 555 0100'] }),
    ).toThrow(/numbers\[1\] repeats/);
    expect(() =>
      parseCallInGroup({ name: 'x', numbers: ['+18005550100'], expirySeconds: 5 }),
    ).toThrow(/expirySeconds must be a whole number from 30/);
    expect(() => parseCallInGroup({ name: 'x', numbers: ['+18005550100'], color: 'red' })).toThrow(
      /color is not a call-in group field/,
    );
  });
});
