import type { Insertable } from 'kysely';
import type { QueueSettings } from '../src/domain/queue-settings.js';
import { slots } from '../src/domain/slots.js';
import { newId } from '../src/security/tokens.js';
import { openDb, type DatabaseTarget } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import type { CallbacksTable } from '../src/store/schema.js';

const DAY = 86_400_000;
// 1 000 rows × ~21 columns stays far below SQLite's and PostgreSQL's bind-parameter limits.
const BATCH = 1_000;

/** A valid, distinct New York number for every n below 8 million (exchange 200–999). */
export function benchPhone(n: number): string {
  const exchange = 200 + (Math.floor(n / 10_000) % 800);
  return `+1212${exchange}${String(n % 10_000).padStart(4, '0')}`;
}

/** A small deterministic generator, so two runs seed the same store. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

type Row = Insertable<CallbacksTable>;

/**
 * One seeded callback: 85 % finished in the last 30 days, 10 % booked into a slot of the coming
 * week, 5 % waiting in the immediate queue (the mix a busy queue accumulates).
 */
function seedRow(
  n: number,
  now: number,
  rnd: () => number,
  tenantId: string,
  queue: string,
  slotStarts: number[],
): Omit<Row, 'id'> {
  const createdAt = now - Math.floor(rnd() * 30 * DAY) - 60_000;
  const pick = rnd();
  const base = {
    tenant_id: tenantId,
    service_name: queue,
    phone_number: benchPhone(n),
    requested_at: createdAt,
    priority: 0,
    attempts: 0,
    user_data: '{}',
    details: '{}',
    lease_owner: null,
    lease_expires_at: null,
    claimed_at: null,
    upcoming_notified_at: null,
    created_at: createdAt,
  };
  if (pick < 0.85) {
    const completedAt = Math.min(now, createdAt + Math.floor(rnd() * 3_600_000));
    return {
      ...base,
      desired_time: createdAt,
      immediate: 1,
      state: 'COMPLETED',
      reason: rnd() < 0.8 ? 'AGENT_CONNECTED' : 'CANCELLED',
      attempts: 1,
      slot_start: null,
      updated_at: completedAt,
      completed_at: completedAt,
    };
  }
  const slotStart = slotStarts[Math.floor(rnd() * slotStarts.length)];
  if (pick < 0.95 && slotStart !== undefined) {
    return {
      ...base,
      desired_time: slotStart,
      immediate: 0,
      state: 'SCHEDULED',
      reason: null,
      slot_start: slotStart,
      updated_at: createdAt,
      completed_at: null,
    };
  }
  return {
    ...base,
    desired_time: createdAt,
    immediate: 1,
    state: 'QUEUED',
    reason: null,
    slot_start: null,
    updated_at: createdAt,
    completed_at: null,
  };
}

/**
 * Writes `count` callbacks of one queue through the store's batched insert, and returns a sample
 * of their ids (for the retrieve scenario). Phone numbers use `benchPhone(0 … count-1)`.
 */
export async function seedCallbacks(
  target: DatabaseTarget,
  tenantId: string,
  settings: QueueSettings,
  count: number,
  sampleSize = 1_000,
): Promise<string[]> {
  const now = Date.now();
  const rnd = random(42);
  const slotStarts = slots(settings, now, now + 7 * DAY, now).map((s) => s.start);
  const rows = Array.from({ length: count }, (_, n) =>
    seedRow(n, now, rnd, tenantId, settings.name, slotStarts),
  );
  // Ids are time-ordered: mint them in creation order so they sort as real ones would.
  rows.sort((a, b) => a.created_at - b.created_at);
  const withIds: Row[] = rows.map((r) => ({ ...r, id: newId('cb', r.created_at) }));

  const db = openDb(target);
  try {
    const store = createStore(db);
    for (let i = 0; i < withIds.length; i += BATCH) {
      await store.callbacks.insertMany(withIds.slice(i, i + BATCH));
    }
  } finally {
    await db.close();
  }
  const step = Math.max(1, Math.floor(withIds.length / sampleSize));
  return withIds.filter((_, i) => i % step === 0).map((r) => r.id);
}
