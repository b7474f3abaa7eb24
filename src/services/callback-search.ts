import type { CallbackState } from '../domain/callback-state.js';
import { AppError } from '../domain/errors.js';
import type { CallbackDetail, CallbackSummary } from '../http/schemas/callbacks.js';
import { formatUtc } from '../domain/time.js';
import type {
  CallbackFilter,
  CallbackRow,
  SearchColumn,
  SearchCursor,
  SearchOrder,
} from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';
import type { BookingService } from './booking.js';

/** What the console searches callbacks by: a window on created or desired time, plus filters. */
export interface CallbackSearch {
  window: { from: number; to: number };
  timeField: 'created' | 'desired';
  states?: readonly CallbackState[] | undefined;
  serviceName?: string | undefined;
  /** Digits the number contains, however the operator wrote them. */
  phone?: string | undefined;
  /** The column to sort by; newest first without it. */
  sort?: SearchSort | undefined;
  /** Continue after this cursor (a previous page's `nextBefore`). */
  before?: string | undefined;
  limit: number;
}

/** The columns the console sorts by, as the API names them, and their stored columns. */
const SORT_COLUMNS = {
  phone: 'phone_number',
  queue: 'service_name',
  state: 'state',
  desired: 'desired_time',
  attempts: 'attempts',
  created: 'created_at',
} as const satisfies Record<string, SearchColumn>;

export type SortField = keyof typeof SORT_COLUMNS;
export const SORT_FIELDS = Object.keys(SORT_COLUMNS) as SortField[];

/** A sort as the API takes it: the field, ascending, or with a leading "-", descending. */
export type SearchSort = SortField | `-${SortField}`;

const NUMERIC: ReadonlySet<SearchColumn> = new Set(['desired_time', 'attempts', 'created_at']);

function orderOf(sort: SearchSort): SearchOrder {
  const descending = sort.startsWith('-');
  const field = (descending ? sort.slice(1) : sort) as SortField;
  return { column: SORT_COLUMNS[field], direction: descending ? 'desc' : 'asc' };
}

/**
 * The cursor after `row`: its id newest first (as before sorting existed), else its sort value
 * and id, encoded so that any text a value holds passes through a URL.
 */
function cursorAfter(row: CallbackRow, order: SearchOrder | undefined): string {
  if (!order) return row.id;
  const value = row[order.column];
  const json = JSON.stringify([NUMERIC.has(order.column) ? Number(value) : value, row.id]);
  return Buffer.from(json).toString('base64url');
}

/** The row a cursor names, checked against the order it must continue (40001 if it cannot). */
function parseCursor(text: string, order: SearchOrder | undefined): CallbackFilter['after'] {
  if (!order) return { id: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const numeric = NUMERIC.has(order.column);
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[1] === 'string' &&
    typeof parsed[0] === (numeric ? 'number' : 'string')
  ) {
    const [value, id] = parsed as [SearchCursor[SearchColumn], string];
    return { id, [order.column]: value };
  }
  throw new AppError('INVALID_PARAMETER', 'before: not a cursor of this sort (use nextBefore)');
}

const isoOrNull = (ms: number | null) => (ms === null ? null : formatUtc(Number(ms)));

/** A JSON object stored by us; a damaged document shows as empty rather than failing the page. */
function parseDocument(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Stored userData (strings only, as sanitizeUserData kept it). */
function userDataOf(text: string): Record<string, string> | null {
  const doc = parseDocument(text);
  if (doc === null) return null;
  return Object.fromEntries(
    Object.entries(doc).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
  );
}

/** The console's view of a callback. */
export function callbackSummary(row: CallbackRow): CallbackSummary {
  return {
    id: row.id,
    serviceName: row.service_name,
    phoneNumber: row.phone_number,
    state: row.state,
    reason: row.reason,
    desiredTime: formatUtc(Number(row.desired_time)),
    immediate: Number(row.immediate) === 1,
    priority: Number(row.priority),
    attempts: Number(row.attempts),
    createdAt: formatUtc(Number(row.created_at)),
    updatedAt: formatUtc(Number(row.updated_at)),
    completedAt: isoOrNull(row.completed_at),
  };
}

/** The console's Callback tab: search and look into a tenant's callbacks. */
export class CallbackSearchService {
  constructor(
    private readonly store: Store,
    private readonly booking: BookingService,
  ) {}

  /**
   * A tenant's callbacks matching `search`, in its sort (ties by id) or newest first; `nextBefore`,
   * the cursor of the next page, when there may be more.
   */
  async search(
    tenantId: string,
    search: CallbackSearch,
  ): Promise<{ items: CallbackSummary[]; nextBefore?: string }> {
    const order = search.sort === undefined ? undefined : orderOf(search.sort);
    const rows = await this.store.callbacks.find(tenantId, toFilter(search, order));
    const last = rows.at(-1);
    return {
      items: rows.map(callbackSummary),
      ...(rows.length === search.limit && last ? { nextBefore: cursorAfter(last, order) } : {}),
    };
  }

  /** One callback with its history, or 40401 (also for another tenant's id). */
  async detail(tenantId: string, id: string): Promise<CallbackDetail> {
    const row = await this.booking.get(tenantId, id);
    const events = await this.store.callbacks.history(tenantId, row.id);
    return {
      ...callbackSummary(row),
      userData: userDataOf(row.user_data),
      details: parseDocument(row.details),
      history: events.map((e) => ({
        type: e.type,
        at: formatUtc(Number(e.created_at)),
        snapshot: parseDocument(e.payload),
      })),
    };
  }
}

function toFilter(search: CallbackSearch, order: SearchOrder | undefined): CallbackFilter {
  const { window } = search;
  const digits = search.phone?.replace(/\D/g, '') ?? '';
  return {
    serviceName: search.serviceName,
    states: search.states,
    ...(search.timeField === 'desired'
      ? { desiredFrom: window.from, desiredTo: window.to }
      : { createdFrom: window.from, createdTo: window.to }),
    ...(digits === '' ? {} : { phoneDigits: digits }),
    order,
    ...(search.before === undefined ? {} : { after: parseCursor(search.before, order) }),
    limit: search.limit,
  };
}
