import type { CallbackState } from '../types.js';

export type RangeId = 'today' | '24h' | '7d' | 'custom';

/** What the Callback tab searches for. */
export interface CallbackFilters {
  range: RangeId;
  timeField: 'created' | 'desired';
  /** datetime-local values in the tenant's zone (custom range only). */
  fromWall: string;
  toWall: string;
  states: CallbackState[];
  queue: string;
  phone: string;
}

export const RANGE_LABELS: Record<RangeId, string> = {
  today: 'Today',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  custom: 'Custom',
};

export const NO_FILTERS: CallbackFilters = {
  range: 'today',
  timeField: 'created',
  fromWall: '',
  toWall: '',
  states: [],
  queue: '',
  phone: '',
};
