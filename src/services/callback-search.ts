import type { CallbackState } from '../domain/callback-state.js';
import type { CallbackDetail, CallbackSummary } from '../http/schemas/callbacks.js';
import { formatUtc } from '../domain/time.js';
import type { CallbackFilter, CallbackRow } from '../store/repos/callbacks.js';
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
  /** Continue below this id (newest first). */
  before?: string | undefined;
  limit: number;
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

  /** A tenant's callbacks matching `search`, newest first; `nextBefore` when there may be more. */
  async search(
    tenantId: string,
    search: CallbackSearch,
  ): Promise<{ items: CallbackSummary[]; nextBefore?: string }> {
    const rows = await this.store.callbacks.find(tenantId, toFilter(search));
    const last = rows.at(-1);
    return {
      items: rows.map(callbackSummary),
      ...(rows.length === search.limit && last ? { nextBefore: last.id } : {}),
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

function toFilter(search: CallbackSearch): CallbackFilter {
  const { window } = search;
  const digits = search.phone?.replace(/\D/g, '') ?? '';
  return {
    serviceName: search.serviceName,
    states: search.states,
    ...(search.timeField === 'desired'
      ? { desiredFrom: window.from, desiredTo: window.to }
      : { createdFrom: window.from, createdTo: window.to }),
    ...(digits === '' ? {} : { phoneDigits: digits }),
    before: search.before,
    limit: search.limit,
  };
}
