import { Type, type Static } from 'typebox';
import {
  CALLBACK_STATES,
  isCallbackState,
  type CallbackState,
} from '../../../domain/callback-state.js';
import { AppError } from '../../../domain/errors.js';
import {
  DAY_MS,
  HOUR_MS,
  endOfLocalDay,
  parseInstant,
  startOfLocalDay,
} from '../../../domain/time.js';
import {
  SORT_FIELDS,
  type CallbackSearch as ServiceSearch,
} from '../../../services/callback-search.js';
import { PhoneNumber, ServiceName } from '../../schemas/common.js';
import type { CallbackSummary } from '../../schemas/callbacks.js';

/** The console's callback search: a time range on created or desired time plus filters. */
export const CallbackSearchQuery = Type.Object({
  range: Type.Union(
    [
      Type.Literal('today'),
      Type.Literal('24h'),
      Type.Literal('7d'),
      Type.Literal('next24h'),
      Type.Literal('next7d'),
      Type.Literal('upcoming'),
      Type.Literal('custom'),
    ],
    { default: 'today' },
  ),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  timeField: Type.Union([Type.Literal('created'), Type.Literal('desired')], {
    default: 'created',
  }),
  /** Comma-separated callback states. */
  states: Type.Optional(Type.String({ maxLength: 100 })),
  queue: Type.Optional(ServiceName),
  phone: Type.Optional(PhoneNumber),
  /** A column, ascending, or with a leading "-", descending; newest first without it. */
  sort: Type.Optional(
    Type.Union(
      SORT_FIELDS.flatMap((field) => [Type.Literal(field), Type.Literal(`-${field}` as const)]),
    ),
  ),
  /** The previous page's nextBefore. */
  before: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});
export type CallbackSearch = Static<typeof CallbackSearchQuery>;

const UPCOMING_DAYS = 366;

/** The instants [from, to) a search covers; "today" is the tenant's local day. */
export function searchWindow(q: CallbackSearch, now: number, timeZone: string) {
  switch (q.range) {
    case 'today':
      return { from: startOfLocalDay(now, timeZone), to: endOfLocalDay(now, timeZone) };
    // The end is exclusive: one past now keeps what happened this very millisecond.
    case '24h':
      return { from: now - 24 * HOUR_MS, to: now + 1 };
    case '7d':
      return { from: now - 7 * DAY_MS, to: now + 1 };
    // Forward ranges, for what is still to come (desired times of scheduled callbacks).
    case 'next24h':
      return { from: now, to: now + 24 * HOUR_MS };
    case 'next7d':
      return { from: now, to: now + 7 * DAY_MS };
    // Nothing can be booked further ahead than maxScheduleAheadDays (at most 365).
    case 'upcoming':
      return { from: now, to: now + UPCOMING_DAYS * DAY_MS };
    case 'custom': {
      if (q.from === undefined || q.to === undefined) {
        throw new AppError('MISSING_PARAMETER', 'A custom range needs both from and to');
      }
      const from = parseInstant(q.from, 'from');
      const to = parseInstant(q.to, 'to');
      if (to <= from) throw new AppError('INVALID_PARAMETER', 'to must be after from');
      return { from, to };
    }
  }
}

function parseStates(text: string | undefined): CallbackState[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text.split(',').map((word) => {
    const s = word.trim().toUpperCase();
    if (!isCallbackState(s)) {
      throw new AppError(
        'INVALID_PARAMETER',
        `states: "${s}" is not one of ${CALLBACK_STATES.join(', ')}`,
      );
    }
    return s;
  });
}

/** The service's search from the console's query and its window. */
export function toSearch(
  q: CallbackSearch,
  window: { from: number; to: number },
  limit: number,
): ServiceSearch {
  return {
    window,
    timeField: q.timeField,
    states: parseStates(q.states),
    serviceName: q.queue,
    phone: q.phone,
    sort: q.sort,
    before: q.before,
    limit,
  };
}

/** The CSV columns of an export, in order. */
export const CSV_COLUMNS = [
  'id',
  'serviceName',
  'phoneNumber',
  'state',
  'reason',
  'desiredTime',
  'immediate',
  'priority',
  'attempts',
  'createdAt',
  'completedAt',
] as const satisfies readonly (keyof CallbackSummary)[];
