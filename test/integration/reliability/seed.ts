import type { AddressInfo } from 'node:net';
import type { Insertable } from 'kysely';
import { newId } from '../../../src/security/tokens.js';
import type { Store } from '../../../src/store/index.js';
import type { CallbacksTable } from '../../../src/store/schema.js';
import type { TestApp } from '../../helpers/app.js';

/** Rows per insert statement and per transaction, well inside both engines' bind limits. */
const SEED_BATCH = 500;

/** The distinct valid New York number for index `i` (0–9999). */
export const phoneFor = (i: number) => `+1212555${String(i).padStart(4, '0')}`;

/**
 * A waiting callback as booking stores it, for the `i`-th caller: QUEUED (asked to be called as
 * soon as possible) unless a state is given. Customers asked one millisecond apart, in index order.
 */
export function waitingCallback(opts: {
  tenantId: string;
  serviceName: string;
  index: number;
  now: number;
  desiredTime?: number;
  state?: 'QUEUED' | 'SCHEDULED';
}): Insertable<CallbacksTable> {
  const requestedAt = opts.now + opts.index;
  const state = opts.state ?? 'QUEUED';
  return {
    id: newId('cb', requestedAt),
    tenant_id: opts.tenantId,
    service_name: opts.serviceName,
    phone_number: phoneFor(opts.index),
    desired_time: opts.desiredTime ?? requestedAt,
    requested_at: requestedAt,
    immediate: state === 'QUEUED' ? 1 : 0,
    state,
    reason: null,
    priority: 0,
    attempts: 0,
    slot_start: null,
    user_data: '{}',
    details: JSON.stringify({
      cbOfferType: state === 'QUEUED' ? 'ASAP' : 'SCHEDULED',
      language: 'en-US',
      pushTargets: [],
    }),
    lease_owner: null,
    lease_expires_at: null,
    claimed_at: null,
    upcoming_notified_at: null,
    created_at: requestedAt,
    updated_at: requestedAt,
    completed_at: null,
  };
}

/** Stores callbacks in batches, each batch in one transaction. */
export async function seedCallbacks(
  store: Store,
  rows: readonly Insertable<CallbacksTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += SEED_BATCH) {
    const batch = rows.slice(i, i + SEED_BATCH);
    await store.db.transaction((trx) => store.callbacks.insertMany(batch, trx));
  }
}

/** Makes a test node listen on a free local port; its base URL. */
export async function listen(node: TestApp): Promise<string> {
  await node.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = node.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** How many events of `type` each callback of the tenant has in the outbox. */
export async function eventCounts(
  store: Store,
  tenantId: string,
  type: string,
): Promise<Map<string, number>> {
  const rows = await store.db.kysely
    .selectFrom('callback_events')
    .select(['callback_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', type)
    .groupBy('callback_id')
    .execute();
  return new Map(rows.map((r) => [r.callback_id, Number(r.n)]));
}

/** How many of the tenant's callbacks are in each state (completed ones by reason: `COMPLETED/PURGED`). */
export async function stateCounts(store: Store, tenantId: string): Promise<Record<string, number>> {
  const rows = await store.db.kysely
    .selectFrom('callbacks')
    .select(['state', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .groupBy(['state', 'reason'])
    .execute();
  return Object.fromEntries(
    rows.map((r) => [r.reason === null ? r.state : `${r.state}/${r.reason}`, Number(r.n)]),
  );
}
