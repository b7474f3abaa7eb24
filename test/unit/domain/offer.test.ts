import { describe, expect, it } from 'vitest';
import {
  immediateOfferHoursOpenFor,
  isWithinImmediateOfferTime,
  queueOffer,
} from '../../../src/domain/offer.js';
import { everyDay, queue } from './helpers.js';

// New York in June is EDT (-04:00); business hours 09:00–17:00 every day.
const local = (hhmm: string) => Date.parse(`2026-06-01T${hhmm}:00-04:00`);
const base = queue('America/New_York', { businessHours: everyDay(['09:00', '17:00']) });

describe('immediateOfferHoursOpenFor', () => {
  it('is -1 without Immediate Offer Hours, 0 outside them, else seconds until they end', () => {
    expect(immediateOfferHoursOpenFor(base, local('12:00'))).toBe(-1);
    const q = { ...base, immediateOfferHours: everyDay(['10:00', '16:00']) };
    expect(immediateOfferHoursOpenFor(q, local('09:30'))).toBe(0);
    expect(immediateOfferHoursOpenFor(q, local('15:00'))).toBe(3600);
    expect(immediateOfferHoursOpenFor(q, local('16:00'))).toBe(0);
  });
});

describe('isWithinImmediateOfferTime', () => {
  const blackout = { ...base, immediateBlackoutMinutes: 30 };

  it('judges now + EWT against business hours less the blackout', () => {
    expect(isWithinImmediateOfferTime(blackout, local('16:00'), 0)).toBe(true);
    expect(isWithinImmediateOfferTime(blackout, local('16:29'), 0)).toBe(true);
    expect(isWithinImmediateOfferTime(blackout, local('16:30'), 0)).toBe(false);
    expect(isWithinImmediateOfferTime(blackout, local('16:00'), 1799)).toBe(true);
    expect(isWithinImmediateOfferTime(blackout, local('16:00'), 1800)).toBe(false);
    expect(isWithinImmediateOfferTime(blackout, local('08:59'), 0)).toBe(false);
    expect(isWithinImmediateOfferTime(blackout, local('18:00'), 0)).toBe(false);
  });

  it('treats an unknown EWT (-1) as no wait', () => {
    expect(isWithinImmediateOfferTime(blackout, local('16:29'), -1)).toBe(true);
  });

  it('uses Immediate Offer Hours instead when configured (no blackout then)', () => {
    const q = { ...blackout, immediateOfferHours: everyDay(['10:00', '16:00']) };
    expect(isWithinImmediateOfferTime(q, local('15:50'), 300)).toBe(true);
    expect(isWithinImmediateOfferTime(q, local('15:50'), 600)).toBe(false);
    expect(isWithinImmediateOfferTime(q, local('09:30'), 0)).toBe(false);
  });

  it('is always true for a 24/7 queue without offer hours', () => {
    const q = queue('America/New_York', { immediateBlackoutMinutes: 30 });
    expect(isWithinImmediateOfferTime(q, local('23:59'), 3600)).toBe(true);
  });
});

describe('queueOffer', () => {
  it('offers an immediate callback when enabled, in the window and answered before close', () => {
    expect(queueOffer(base, local('12:00'), 60)).toEqual({
      offerImmediateCallback: true,
      offerScheduledCallback: true,
    });
    expect(queueOffer(base, local('16:59'), 120).offerImmediateCallback).toBe(false);
    expect(queueOffer(base, local('20:00'), 0).offerImmediateCallback).toBe(false);
  });

  it('follows the enabled flags', () => {
    const q = { ...base, immediateEnabled: false, scheduledEnabled: false };
    expect(queueOffer(q, local('12:00'), 0)).toEqual({
      offerImmediateCallback: false,
      offerScheduledCallback: false,
    });
  });

  it('refuses an immediate offer above maxEwtSeconds but not for an unknown EWT', () => {
    const q = { ...base, maxEwtSeconds: 600 };
    expect(queueOffer(q, local('12:00'), 600).offerImmediateCallback).toBe(true);
    expect(queueOffer(q, local('12:00'), 601).offerImmediateCallback).toBe(false);
    expect(queueOffer(q, local('12:00'), -1).offerImmediateCallback).toBe(true);
  });

  it('honours the blackout', () => {
    const q = { ...base, immediateBlackoutMinutes: 15 };
    expect(queueOffer(q, local('16:44'), 0).offerImmediateCallback).toBe(true);
    expect(queueOffer(q, local('16:45'), 0).offerImmediateCallback).toBe(false);
  });

  it('still needs the answer before business close when offer hours run later', () => {
    const q = { ...base, immediateOfferHours: everyDay(['10:00', '20:00']) };
    expect(isWithinImmediateOfferTime(q, local('16:55'), 600)).toBe(true);
    expect(queueOffer(q, local('16:55'), 600).offerImmediateCallback).toBe(false);
    expect(queueOffer(q, local('16:55'), 60).offerImmediateCallback).toBe(true);
  });
});
