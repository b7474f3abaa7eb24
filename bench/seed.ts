import { sql, type Insertable } from 'kysely';
import { businessDayCloses } from '../src/domain/calendar.js';
import type { QueueSettings } from '../src/domain/queue-settings.js';
import { slots } from '../src/domain/slots.js';
import { newId } from '../src/security/tokens.js';
import { openDb, type DatabaseTarget } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import type { CallbacksTable } from '../src/store/schema.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// The store splits a transaction's rows into statements within the engines' bind limits; a
// million rows take a hundred commits.
const TRANSACTION_ROWS = 10_000;
// Retention deletes callbacks completed more than 30 days ago: the history stays inside that.
const HISTORY_DAYS = 28;

type Row = Insertable<CallbacksTable>;

/** A valid, distinct New York number for every n below 8 million (exchange 200–999). */
export function benchPhone(n: number): string {
  const exchange = 200 + (Math.floor(n / 10_000) % 800);
  return `+1212${exchange}${String(n % 10_000).padStart(4, '0')}`;
}

/** Hands out distinct phone numbers across the seed and the scenarios of one run. */
export class Phones {
  private n = 0;

  /** The next unused number. */
  next(): string {
    return benchPhone(this.n++);
  }
}

/** A small deterministic generator, so two runs seed the same store. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** What varies between seeded callbacks; everything else is what booking would store. */
interface RowShape {
  queue: string;
  phone: string;
  createdAt: number;
  state: 'COMPLETED' | 'SCHEDULED' | 'QUEUED';
  /** For SCHEDULED: the booked slot (also its desired time). */
  slotStart?: number;
  /** For QUEUED: when the customer wants the call (defaults to when they asked). */
  desiredTime?: number;
  completedAt?: number;
  reason?: string;
}

// Ids are time-ordered: callers build rows in creation order, so the ids sort as real ones do.
function callbackRow(tenantId: string, s: RowShape): Row {
  const immediate = s.slotStart === undefined;
  return {
    id: newId('cb', s.createdAt),
    tenant_id: tenantId,
    service_name: s.queue,
    phone_number: s.phone,
    desired_time: s.slotStart ?? s.desiredTime ?? s.createdAt,
    requested_at: s.createdAt,
    immediate: immediate ? 1 : 0,
    state: s.state,
    reason: s.reason ?? null,
    priority: 0,
    attempts: s.state === 'COMPLETED' ? 1 : 0,
    slot_start: s.slotStart ?? null,
    user_data: '{}',
    details: JSON.stringify({
      cbOfferType: immediate ? 'ASAP' : 'SCHEDULED',
      language: 'en-US',
      pushTargets: [],
    }),
    lease_owner: null,
    lease_expires_at: null,
    claimed_at: null,
    upcoming_notified_at: null,
    created_at: s.createdAt,
    updated_at: s.completedAt ?? s.createdAt,
    completed_at: s.completedAt ?? null,
  };
}

/** Writes rows through the store's batched insert, many statements per transaction. */
async function writeRows(target: DatabaseTarget, rows: Iterable<Row>): Promise<void> {
  const db = openDb(target);
  const store = createStore(db);
  let pending: Row[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    await db.transaction((trx) => store.callbacks.insertMany(batch, trx));
  };
  try {
    for (const row of rows) {
      pending.push(row);
      if (pending.length === TRANSACTION_ROWS) await flush();
    }
    if (pending.length > 0) await flush();
    // A live PostgreSQL has planner statistics (autovacuum analyzes a changed table within a
    // minute); a bulk load outruns that, so gather them as it would have.
    if (db.caps.engine === 'postgres') await sql`analyze callbacks`.execute(db.kysely);
  } finally {
    await db.close();
  }
}

/** Slot starts from `fromMs` until `toMs` (the slot grid is the same for every bench queue). */
function slotStarts(settings: QueueSettings, fromMs: number, toMs: number): number[] {
  return slots(settings, fromMs, toMs, fromMs).map((s) => s.start);
}

/**
 * The history a busy tenant accumulates, spread evenly over `queues`: 90 % completed over the
 * last four weeks, 8 % booked into a slot of the coming week, 2 % waiting in the immediate queue
 * since earlier today (the end-of-day purge clears older ones, so a queue holds hundreds, never
 * tens of thousands). Built lazily in creation order, so a million rows never sit in memory.
 */
function* historyRows(
  tenantId: string,
  queues: readonly QueueSettings[],
  count: number,
  now: number,
  phones: Phones,
): Generator<Row> {
  const [first] = queues;
  if (first === undefined) return;
  const rnd = random(42);
  const week = slotStarts(first, now, now + 7 * DAY);
  const queued = Math.round(count * 0.02);
  const older = count - queued;
  const historyStart = now - HISTORY_DAYS * DAY;
  const queueAt = (n: number) => queues[n % queues.length]?.name ?? first.name;
  for (let n = 0; n < older; n++) {
    const createdAt = historyStart + Math.floor((n * (HISTORY_DAYS * DAY - 2 * HOUR)) / older);
    const slotStart = week[Math.floor(rnd() * week.length)];
    const shape = { queue: queueAt(n), phone: phones.next(), createdAt };
    if (rnd() < 0.08 / 0.98 && slotStart !== undefined) {
      yield callbackRow(tenantId, { ...shape, state: 'SCHEDULED', slotStart });
      continue;
    }
    const completedAt = Math.min(now - MINUTE, createdAt + Math.floor(rnd() * HOUR));
    const reason = rnd() < 0.8 ? 'AGENT_CONNECTED' : 'CANCELLED';
    yield callbackRow(tenantId, { ...shape, state: 'COMPLETED', completedAt, reason });
  }
  for (let n = 0; n < queued; n++) {
    const createdAt = now - 2 * HOUR + Math.floor((n * (2 * HOUR - MINUTE)) / queued);
    yield callbackRow(tenantId, {
      queue: queueAt(older + n),
      phone: phones.next(),
      createdAt,
      state: 'QUEUED',
    });
  }
}

/**
 * Seeds `count` callbacks over `queues` (see historyRows) and returns a sample of their ids
 * (for the retrieve scenario).
 */
export async function seedHistory(
  target: DatabaseTarget,
  tenantId: string,
  queues: readonly QueueSettings[],
  count: number,
  phones: Phones,
  sampleSize = 1_000,
): Promise<string[]> {
  const step = Math.max(1, Math.floor(count / sampleSize));
  const sample: string[] = [];
  let n = 0;
  function* sampled() {
    for (const row of historyRows(tenantId, queues, count, Date.now(), phones)) {
      if (n++ % step === 0) sample.push(row.id);
      yield row;
    }
  }
  await writeRows(target, sampled());
  return sample;
}

/**
 * Seeds `count` QUEUED callbacks spread over `queues`, asked for in the last few minutes: the
 * pool the dialer scenario claims from.
 */
export async function seedDialerPool(
  target: DatabaseTarget,
  tenantId: string,
  queueNames: readonly string[],
  count: number,
  phones: Phones,
): Promise<void> {
  const now = Date.now();
  function* rows() {
    for (let n = 0; n < count; n++) {
      yield callbackRow(tenantId, {
        queue: queueNames[n % queueNames.length] ?? '',
        phone: phones.next(),
        createdAt: now - 5 * MINUTE + Math.floor((n * 5 * MINUTE) / count),
        state: 'QUEUED',
      });
    }
  }
  await writeRows(target, rows());
}

/**
 * Seeds `count` callbacks waiting in one queue for today's business day, all due before its
 * close: half QUEUED since the queue opened, half SCHEDULED into today's remaining slots. This is
 * what the end-of-day purge finds at the close. Returns that close (ms).
 */
export async function seedPurgeable(
  target: DatabaseTarget,
  tenantId: string,
  settings: QueueSettings,
  count: number,
  phones: Phones,
): Promise<number> {
  const now = Date.now();
  const [close] = businessDayCloses(settings.businessHours, settings.timezone, now, now + 2 * DAY);
  if (close === undefined) throw new Error(`${settings.name} has no business-day close ahead`);
  const today = slotStarts(settings, now, close.close);
  const since = now - 4 * HOUR;
  function* rows() {
    for (let n = 0; n < count; n++) {
      const createdAt = since + Math.floor((n * (4 * HOUR - MINUTE)) / count);
      const slotStart = today[n % Math.max(1, today.length)];
      const shape = { queue: settings.name, phone: phones.next(), createdAt };
      yield n % 2 === 0 || slotStart === undefined
        ? callbackRow(tenantId, { ...shape, state: 'QUEUED' })
        : callbackRow(tenantId, { ...shape, state: 'SCHEDULED', slotStart });
    }
  }
  await writeRows(target, rows());
  return close.close;
}
