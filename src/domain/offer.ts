import { type Span, secondsUntilClose, stretchAt } from './calendar.js';
import type { QueueSettings } from './queue-settings.js';
import { MINUTE_MS } from './time.js';

/** The settings the immediate-offer rules read. */
export type OfferSettings = Pick<
  QueueSettings,
  | 'timezone'
  | 'businessHours'
  | 'immediateOfferHours'
  | 'immediateBlackoutMinutes'
  | 'immediateEnabled'
  | 'scheduledEnabled'
  | 'maxEwtSeconds'
>;

// An unknown EWT (-1, or anything not a finite positive number) counts as no wait: GES offers
// when it cannot estimate, and maxEwtSeconds only refuses waits known to be too long.
function waitMs(ewtSeconds: number): number {
  return Number.isFinite(ewtSeconds) && ewtSeconds > 0 ? ewtSeconds * 1000 : 0;
}

/** -1 when the queue has no Immediate Offer Hours, 0 outside them, else seconds until they end. */
export function immediateOfferHoursOpenFor(settings: OfferSettings, nowMs: number): number {
  if (!settings.immediateOfferHours) return -1;
  return secondsUntilClose(settings.immediateOfferHours, settings.timezone, nowMs);
}

// Immediate Offer Hours when configured; otherwise business hours minus the blackout before close.
function immediateWindow(settings: OfferSettings, nowMs: number): Span | undefined {
  if (settings.immediateOfferHours) {
    return stretchAt(settings.immediateOfferHours, settings.timezone, nowMs);
  }
  const open = stretchAt(settings.businessHours, settings.timezone, nowMs);
  if (!open) return undefined;
  return { start: open.start, end: open.end - settings.immediateBlackoutMinutes * MINUTE_MS };
}

/** True when now and now + EWT both lie in the immediate-offer window (SPEC open-for). */
export function isWithinImmediateOfferTime(
  settings: OfferSettings,
  nowMs: number,
  ewtSeconds: number,
): boolean {
  const window = immediateWindow(settings, nowMs);
  return window !== undefined && nowMs < window.end && nowMs + waitMs(ewtSeconds) < window.end;
}

/**
 * What the queue offers right now (SPEC queue-status). `agentsLoggedIn` is the dialer's last
 * report, when there is one: with none logged in nobody could call back, so no immediate offer
 * (GES: ewt -1 with offerImmediateCallback false means "no agents logged in").
 */
export function queueOffer(
  settings: OfferSettings,
  nowMs: number,
  ewtSeconds: number,
  agentsLoggedIn?: number,
): { offerImmediateCallback: boolean; offerScheduledCallback: boolean } {
  const wait = waitMs(ewtSeconds);
  const withinMaxEwt =
    settings.maxEwtSeconds === undefined || wait <= settings.maxEwtSeconds * 1000;
  // Even with separate offer hours, the callback must be answered before the office closes.
  const open = stretchAt(settings.businessHours, settings.timezone, nowMs);
  const answeredBeforeClose = open !== undefined && nowMs + wait < open.end;
  return {
    offerImmediateCallback:
      settings.immediateEnabled &&
      agentsLoggedIn !== 0 &&
      withinMaxEwt &&
      answeredBeforeClose &&
      isWithinImmediateOfferTime(settings, nowMs, ewtSeconds),
    offerScheduledCallback: settings.scheduledEnabled,
  };
}
