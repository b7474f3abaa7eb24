import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import {
  ISO_MS_Z,
  NEW_YORK_OFFICE,
  nycNumber,
  startBooking,
  type BookingHarness,
  type CallbackView as View,
} from './helpers.js';

// Wednesday 2026-11-25, 10:00 in New York.
const NOW = '2026-11-25T15:00:00.000Z';
const TOMORROW_10 = '2026-11-26T15:00:00.000Z';

describeEngines('retrieve, reschedule, query and cancel', (engine) => {
  let h: BookingHarness;
  const retrieve = (id: string) => h.engage<View>('POST', '/callbacks/retrieve', { id });
  const reschedule = (id: string, desiredTime: string, extra: Record<string, unknown> = {}) =>
    h.engage<View>('POST', '/callbacks/reschedule', { id, desiredTime, ...extra });
  const cancel = (id: string) => h.engage<{ id: string }>('POST', '/callbacks/cancel', { id });
  const query = (filter: Record<string, unknown>) =>
    h.engage<{ callbacks: View[] }>('POST', '/callbacks/query', filter);

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'support', ...NEW_YORK_OFFICE });
    await h.createQueue({
      name: 'tight',
      ...NEW_YORK_OFFICE,
      slotDurationMinutes: 60,
      slotCapacity: 1,
      enforceCapacityOnCreate: true,
    });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.t.clock.set(NOW));

  it('retrieve: exactly the GES fields, typed; position and wait only while waiting', async () => {
    const queued = await h.bookOk({ serviceName: 'support', phoneNumber: nycNumber(0) });
    const { res, body } = await retrieve(queued);
    expect(res.statusCode).toBe(200);
    expect(body.data).toEqual({
      id: queued,
      serviceName: 'support',
      desiredTime: NOW,
      callbackState: 'QUEUED',
      phoneNumber: nycNumber(0),
      positionInQueue: 1,
      estimatedWaitTime: -1,
    });

    const scheduled = await h.bookOk({
      serviceName: 'support',
      phoneNumber: nycNumber(1),
      desiredTime: TOMORROW_10,
    });
    expect((await retrieve(scheduled)).body.data).toEqual({
      id: scheduled,
      serviceName: 'support',
      desiredTime: TOMORROW_10,
      callbackState: 'SCHEDULED',
      phoneNumber: nycNumber(1),
    });
  });

  it('retrieve of an unknown id or of another tenant is 40401', async () => {
    await h.expectError(await retrieve('cb_missing'), 404, 40401, /cb_missing not found/);
    const other = await h.t.tenant('other-co');
    await h.t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: other.cookies.Administrator },
      payload: { name: 'support' },
    });
    const theirs = await h.t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': other.keys.engagement },
      payload: { serviceName: 'support', phoneNumber: nycNumber(90) },
    });
    expect(theirs.res.statusCode).toBe(200);
    await h.expectError(await retrieve(theirs.body.data.id), 404, 40401, /not found/);
    await h.expectError(await cancel(theirs.body.data.id), 404, 40401, /not found/);
    const found = await query({ phoneNumber: nycNumber(90) });
    expect(found.body.data.callbacks).toEqual([]);
  });

  it('reschedule moves a waiting callback and returns the new view', async () => {
    const id = await h.bookOk({ serviceName: 'support', phoneNumber: nycNumber(2) });
    const moved = await reschedule(id, '2026-11-27T11:30:00-05:00');
    expect(moved.res.statusCode).toBe(200);
    expect(moved.body.data).toEqual({
      id,
      serviceName: 'support',
      desiredTime: '2026-11-27T16:30:00.000Z',
      callbackState: 'SCHEDULED',
      phoneNumber: nycNumber(2),
    });
    expect((await retrieve(id)).body.data.desiredTime).toBe('2026-11-27T16:30:00.000Z');
    // Back to "now": it waits in the queue again.
    const now = await reschedule(id, NOW);
    expect(now.body.data).toMatchObject({ callbackState: 'QUEUED', desiredTime: NOW });
  });

  it('reschedule refuses times out of range and callbacks that no longer wait', async () => {
    const id = await h.bookOk({
      serviceName: 'support',
      phoneNumber: nycNumber(3),
      desiredTime: TOMORROW_10,
    });
    await h.expectError(await reschedule(id, '2026-11-25T10:00:00Z'), 400, 40001, /in the past/);
    await h.expectError(
      await reschedule(id, '2027-01-30T10:00:00Z'),
      400,
      40001,
      /more than 30 days ahead/,
    );
    await h.expectError(await reschedule(id, 'next week'), 400, 40001, /desiredTime/);
    expect((await retrieve(id)).body.data.desiredTime).toBe(TOMORROW_10);
    await cancel(id);
    await h.expectError(
      await reschedule(id, '2026-11-27T15:00:00Z'),
      409,
      40902,
      /is COMPLETED \(CANCELLED\) and cannot be rescheduled/,
    );
    await h.expectError(await reschedule('cb_missing', TOMORROW_10), 404, 40401, /not found/);
  });

  it('reschedule into a full slot of an enforcing queue is 42901 and leaves the callback as it was', async () => {
    const a = await h.bookOk({
      serviceName: 'tight',
      phoneNumber: nycNumber(4),
      desiredTime: TOMORROW_10,
    });
    const b = await h.bookOk({
      serviceName: 'tight',
      phoneNumber: nycNumber(5),
      desiredTime: '2026-11-26T16:00:00.000Z',
    });
    const refused = await reschedule(b, '2026-11-26T15:30:00.000Z');
    await h.expectError(refused, 429, 42901, /slot is full/);
    expect(refused.body.data).toHaveProperty('slots');
    expect((await retrieve(b)).body.data.desiredTime).toBe('2026-11-26T16:00:00.000Z');
    // Moving within the slot it already holds is not a new booking.
    const within = await reschedule(a, '2026-11-26T15:45:00.000Z');
    expect(within.res.statusCode).toBe(200);
    expect(within.body.data.desiredTime).toBe('2026-11-26T15:45:00.000Z');
  });

  it('query finds a number however it is written; active ones by default, states on request', async () => {
    const phone = '+12125550177';
    const kept = await h.bookOk({ serviceName: 'support', phoneNumber: phone });
    const dropped = await h.bookOk({
      serviceName: 'support',
      phoneNumber: phone,
      desiredTime: TOMORROW_10,
    });
    await cancel(dropped);
    for (const written of [
      phone,
      '(212) 555-0177',
      '212.555.0177',
      '+1 212-555-0177',
      '2125550177',
    ]) {
      const { res, body } = await query({ phoneNumber: written });
      expect(res.statusCode, written).toBe(200);
      expect(
        body.data.callbacks.map((c) => c.id),
        written,
      ).toEqual([kept]);
    }
    const all = await query({
      phoneNumber: phone,
      serviceName: 'support',
      states: ['QUEUED', 'COMPLETED'],
    });
    expect(all.body.data.callbacks.map((c) => c.id).sort()).toEqual([kept, dropped].sort());
    const completed = all.body.data.callbacks.find((c) => c.id === dropped);
    expect(completed).toEqual({
      id: dropped,
      serviceName: 'support',
      desiredTime: TOMORROW_10,
      callbackState: 'COMPLETED',
      callbackReason: 'CANCELLED',
      phoneNumber: phone,
    });
    for (const c of all.body.data.callbacks) expect(c.desiredTime).toMatch(ISO_MS_Z);
    const elsewhere = await query({ phoneNumber: phone, serviceName: 'tight' });
    expect(elsewhere.body.data.callbacks).toEqual([]);
    await h.expectError(
      await query({ phoneNumber: phone, serviceName: 'nope' }),
      404,
      40402,
      /"nope" not found/,
    );
  });

  it('query by number uses the queue number rule to read national numbers', async () => {
    await h.createQueue({ name: 'berlin', numberRule: { defaultCountry: 'DE' } });
    const id = await h.bookOk({ serviceName: 'berlin', phoneNumber: '+49 30 12345678' });
    const { body } = await query({ serviceName: 'berlin', phoneNumber: '030 12345678' });
    expect(body.data.callbacks.map((c) => c.id)).toEqual([id]);
  });

  it('cancel completes a waiting callback as CANCELLED; a second cancel is 40902', async () => {
    const id = await h.bookOk({ serviceName: 'support', phoneNumber: nycNumber(6) });
    const first = await cancel(id);
    expect(first.res.statusCode).toBe(200);
    expect(first.body.data).toEqual({ id });
    expect((await retrieve(id)).body.data).toEqual({
      id,
      serviceName: 'support',
      desiredTime: NOW,
      callbackState: 'COMPLETED',
      callbackReason: 'CANCELLED',
      phoneNumber: nycNumber(6),
    });
    await h.expectError(
      await cancel(id),
      409,
      40902,
      /is COMPLETED \(CANCELLED\) and cannot be cancelled/,
    );
    await h.expectError(await cancel('cb_missing'), 404, 40401, /cb_missing not found/);
  });

  it('query still finds a number the queue has blocked since it booked', async () => {
    await h.createQueue({ name: 'tightened' });
    const id = await h.bookOk({ serviceName: 'tightened', phoneNumber: '+12125550188' });
    await h.admin('PATCH', '/queues/tightened', {
      numberRule: { permittedCountries: ['CA'], blocked: ['^\\+1212'] },
    });
    await h.expectError(
      await h.book({ serviceName: 'tightened', phoneNumber: '+12125550188' }),
      400,
      40004,
      /accepts CA/,
    );
    const { body } = await query({ serviceName: 'tightened', phoneNumber: '212-555-0188' });
    expect(body.data.callbacks.map((c) => c.id)).toEqual([id]);
  });

  it('cancel: a callback being routed can be cancelled, one on the phone cannot (40902)', async () => {
    const routing = await h.bookOk({ serviceName: 'support', phoneNumber: nycNumber(8) });
    const talking = await h.bookOk({ serviceName: 'support', phoneNumber: nycNumber(9) });
    const { store } = h.t.services;
    await store.db.transaction(async (trx) => {
      await store.callbacks.transition(h.tenant.id, routing, ['QUEUED'], { state: 'ROUTING' }, trx);
      await store.callbacks.transition(
        h.tenant.id,
        talking,
        ['QUEUED'],
        {
          state: 'PROCESSING',
        },
        trx,
      );
    });
    expect((await retrieve(talking)).body.data).toMatchObject({
      callbackState: 'PROCESSING',
      positionInQueue: 0,
      estimatedWaitTime: 0,
    });
    await h.expectError(await cancel(talking), 409, 40902, /is PROCESSING and cannot be cancelled/);
    await h.expectError(
      await reschedule(talking, TOMORROW_10),
      409,
      40902,
      /is PROCESSING and cannot be rescheduled/,
    );
    expect((await cancel(routing)).res.statusCode).toBe(200);
    expect((await retrieve(routing)).body.data.callbackReason).toBe('CANCELLED');
  });

  it('reschedule respects maxQueuedImmediate: moving to now needs room, moving away frees it', async () => {
    await h.createQueue({ name: 'one-at-a-time', maxQueuedImmediate: 1, duplicateCheck: 'off' });
    const waiting = await h.bookOk({ serviceName: 'one-at-a-time', phoneNumber: nycNumber(10) });
    const later = await h.bookOk({
      serviceName: 'one-at-a-time',
      phoneNumber: nycNumber(11),
      desiredTime: TOMORROW_10,
    });
    await h.expectError(await reschedule(later, NOW), 429, 42903, /too many waiting callbacks/);
    // Rescheduling the waiting one to now again keeps its own place.
    expect((await reschedule(waiting, NOW)).res.statusCode).toBe(200);
    expect((await reschedule(waiting, TOMORROW_10)).res.statusCode).toBe(200);
    const moved = await reschedule(later, NOW);
    expect(moved.body.data.callbackState).toBe('QUEUED');
    // Now the moved one holds the only immediate place.
    await h.expectError(
      await h.book({ serviceName: 'one-at-a-time', phoneNumber: nycNumber(12) }),
      429,
      42903,
      /too many waiting callbacks/,
    );
  });

  it('every change is an event of the callback', async () => {
    const id = await h.bookOk({
      serviceName: 'support',
      phoneNumber: nycNumber(7),
      desiredTime: TOMORROW_10,
    });
    await reschedule(id, '2026-11-27T15:00:00Z');
    await cancel(id);
    const history = await h.t.services.store.callbacks.history(h.tenant.id, id);
    expect(history.map((e) => e.type)).toEqual([
      'callback.created',
      'callback.rescheduled',
      'callback.cancelled',
    ]);
  });
});
