import { CALLBACK_STATES, type CallbackState } from '../types.js';

export type RangeId = 'today' | '24h' | '7d' | 'next24h' | 'next7d' | 'upcoming' | 'custom';

/** What the Callback tab searches for; it lives in the URL's query. */
export interface CallbackFilters {
  range: RangeId;
  timeField: 'created' | 'desired';
  /** "YYYY-MM-DDTHH:MM" wall times in the display zone (custom range only). */
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
  next24h: 'Next 24 hours',
  next7d: 'Next 7 days',
  upcoming: 'Upcoming',
  custom: 'Custom',
};

/** Ranges that look ahead: they only make sense on the desired time. */
export const FORWARD: ReadonlySet<RangeId> = new Set(['next24h', 'next7d', 'upcoming']);

export const NO_FILTERS: CallbackFilters = {
  range: 'today',
  timeField: 'created',
  fromWall: '',
  toWall: '',
  states: [],
  queue: '',
  phone: '',
};

const isRange = (v: string | null): v is RangeId => v !== null && v in RANGE_LABELS;

/** The filters a URL names (defaults for what it does not). */
export function filtersFrom(params: URLSearchParams): CallbackFilters {
  const range = params.get('range');
  const states = (params.get('states') ?? '')
    .split(',')
    .filter((s): s is CallbackState => (CALLBACK_STATES as readonly string[]).includes(s));
  const by = params.get('by');
  return {
    range: isRange(range) ? range : NO_FILTERS.range,
    timeField:
      by === 'desired' || by === 'created'
        ? by
        : isRange(range) && FORWARD.has(range)
          ? 'desired'
          : 'created',
    fromWall: params.get('from') ?? '',
    toWall: params.get('to') ?? '',
    states,
    queue: params.get('queue') ?? '',
    phone: params.get('phone') ?? '',
  };
}

/** The URL query of some filters (defaults left out, so links stay short). */
export function filtersToParams(f: CallbackFilters): Record<string, string | undefined> {
  const custom = f.range === 'custom';
  return {
    range: f.range === NO_FILTERS.range ? undefined : f.range,
    by: f.timeField === 'created' ? undefined : f.timeField,
    from: custom ? f.fromWall : undefined,
    to: custom ? f.toWall : undefined,
    states: f.states.length === 0 ? undefined : f.states.join(','),
    queue: f.queue === '' ? undefined : f.queue,
    phone: f.phone.trim() === '' ? undefined : f.phone.trim(),
  };
}
