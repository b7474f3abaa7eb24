import { describe, expect, it } from 'vitest';
import { ewtMode1, ewtMode2 } from '../../../src/domain/ewt.js';

describe('ewtMode1', () => {
  it('is -1 without history', () => {
    expect(ewtMode1({ pending: 3, recentHandleTimesSeconds: [] })).toBe(-1);
  });
  it('multiplies the waiting callbacks by the mean of the last 32 handle times', () => {
    expect(ewtMode1({ pending: 3, recentHandleTimesSeconds: [100, 200] })).toBe(450);
    expect(ewtMode1({ pending: 0, recentHandleTimesSeconds: [100] })).toBe(0);
    const history = [...Array<number>(10).fill(1000), ...Array<number>(32).fill(60)];
    expect(ewtMode1({ pending: 2, recentHandleTimesSeconds: history })).toBe(120);
  });
});

describe('ewtMode2', () => {
  const agents = { agentsLoggedIn: 4, agentsAvailable: 0, avgHandleSeconds: 240 };
  it('is -1 when no agent is logged in or handle time is unknown', () => {
    expect(ewtMode2({ ...agents, pending: 3, agentsLoggedIn: 0 })).toBe(-1);
    expect(ewtMode2({ ...agents, pending: 3, avgHandleSeconds: 0 })).toBe(-1);
  });
  it('is 0 when an agent is free for the newcomer', () => {
    expect(ewtMode2({ ...agents, pending: 1, agentsAvailable: 2 })).toBe(0);
  });
  it('divides the hand-offs still needed among the logged-in agents', () => {
    expect(ewtMode2({ ...agents, pending: 7 })).toBe(480);
    expect(ewtMode2({ ...agents, pending: 7, agentsAvailable: 2 })).toBe(360);
  });
});
