import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import {
  NEW_YORK_OFFICE,
  nycNumber,
  startBooking,
  type BookingHarness,
} from '../booking/helpers.js';
import {
  CB_OFFER_TYPE_DEFAULT,
  Callback,
  CancelCallbackData,
  CreateCallbackData,
  UUID_V7,
  expectError,
  expectSuccess,
  javaCreateBody,
  javaHeaders,
  jsCreateBody,
  jsHeaders,
  wire,
} from './clients.js';

// Wednesday 2026-11-25, 10:00 in New York: the office is open.
const NOW = '2026-11-25T15:00:00.000Z';
const TOMORROW_10 = '2026-11-26T15:00:00.000Z';

describeEngines('GES conformance: CallbacksApi as the official clients call it', (engine) => {
  let h: BookingHarness;
  const post = (path: string, payload: string, headers: Record<string, string>) =>
    wire(h.t, { method: 'POST', url: `/engagement/v3${path}`, headers, payload });
  const js = () => jsHeaders(h.tenant.keys.engagement);
  const java = () => javaHeaders(h.tenant.keys.engagement);
  const details = async (id: string) => {
    const row = await h.t.services.store.callbacks.get(h.tenant.id, id);
    return JSON.parse(row?.details ?? '{}') as Record<string, unknown>;
  };

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'support', ...NEW_YORK_OFFICE });
    await h.createQueue({ name: 'small', ...NEW_YORK_OFFICE, slotCapacity: 1 });
    await h.createQueue({ name: 'once', ...NEW_YORK_OFFICE, throttlePerNumberPerDay: 1 });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.t.clock.set(NOW));

  it('books with the tutorial body: the model defaults (cbOfferType sentence, language) are accepted', async () => {
    const body = jsCreateBody({ serviceName: 'support', phoneNumber: nycNumber(1) });
    expect(body).toContain(CB_OFFER_TYPE_DEFAULT);
    const { res, json } = await post('/callbacks/create', body, js());
    expect(res.statusCode, res.body).toBe(200);
    expectSuccess(json, CreateCallbackData);
    const id = (json.data as { id: string }).id;
    // The sentence is not a type: the reported one is derived from desiredTime.
    expect(await details(id)).toMatchObject({ cbOfferType: 'ASAP', language: 'en-US' });
  });

  it('new callback ids are UUIDv7, in time order', async () => {
    const ids: string[] = [];
    for (const i of [2, 3]) {
      const { json } = await post(
        '/callbacks/create',
        jsCreateBody({ serviceName: 'support', phoneNumber: nycNumber(i) }),
        js(),
      );
      ids.push((json.data as { id: string }).id);
    }
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
  });

  it('books a scheduled callback from the Java client (OffsetDateTime, BigDecimal priority)', async () => {
    const { res, json } = await post(
      '/callbacks/create',
      javaCreateBody({
        serviceName: 'support',
        phoneNumber: nycNumber(4),
        desiredTime: '2026-11-26T10:00:00-05:00',
        priority: 5,
        userData: { orderId: 'A-17', vip: true },
      }),
      java(),
    );
    expect(res.statusCode, res.body).toBe(200);
    expectSuccess(json, CreateCallbackData);
    const id = (json.data as { id: string }).id;
    expect(await details(id)).toMatchObject({ cbOfferType: 'SCHEDULED' });
    const row = await h.t.services.store.callbacks.get(h.tenant.id, id);
    expect(row).toMatchObject({ priority: 5, desired_time: Date.parse(TOMORROW_10) });
  });

  it('is as lenient as GES: TRUE, numbers as strings, free-text reporting fields', async () => {
    const { res, json } = await post(
      '/callbacks/create',
      JSON.stringify({
        serviceName: 'support',
        phoneNumber: nycNumber(5),
        desiredTime: TOMORROW_10,
        alwaysCheckCapacity: 'TRUE',
        priority: '3',
        offerThreshold: '120',
        offerTiming: 'during office hours',
        cbOfferType: 'combined_scheduled_and_asap',
        channel: 'web',
      }),
      js(),
    );
    expect(res.statusCode, res.body).toBe(200);
    const id = (json.data as { id: string }).id;
    expect(await details(id)).toMatchObject({
      cbOfferType: 'COMBINED_SCHEDULED_AND_ASAP',
      offerTiming: 'during office hours',
      // The model says Number: a number sent as a string is read as one.
      offerThreshold: 120,
    });
    expect((await h.t.services.store.callbacks.get(h.tenant.id, id))?.priority).toBe(3);
  });

  it('keeps its clear errors for what is really wrong', async () => {
    const missing = await post('/callbacks/create', jsCreateBody({ serviceName: 'support' }), js());
    expectError(missing.res, missing.json, 400, 40002);
    const badTime = await post(
      '/callbacks/create',
      jsCreateBody({ serviceName: 'support', phoneNumber: nycNumber(6), desiredTime: 'soon' }),
      js(),
    );
    expectError(badTime.res, badTime.json, 400, 40001);
    const badFlag = await post(
      '/callbacks/create',
      JSON.stringify({
        serviceName: 'support',
        phoneNumber: nycNumber(6),
        alwaysCheckCapacity: 'yes',
      }),
      js(),
    );
    expectError(badFlag.res, badFlag.json, 400, 40001);
  });

  it('retrieve and cancel take and give what the models read (CallbackIdParms, Callback)', async () => {
    const created = await post(
      '/callbacks/create',
      jsCreateBody({ serviceName: 'support', phoneNumber: nycNumber(7) }),
      js(),
    );
    const id = (created.json.data as { id: string }).id;
    const got = await post('/callbacks/retrieve', JSON.stringify({ id }), java());
    expect(got.res.statusCode, got.res.body).toBe(200);
    expectSuccess(got.json, Callback);
    expect(got.json.data).toMatchObject({ id, callbackState: 'QUEUED', positionInQueue: 4 });
    const cancelled = await post('/callbacks/cancel', JSON.stringify({ id }), js());
    expect(cancelled.res.statusCode, cancelled.res.body).toBe(200);
    expectSuccess(cancelled.json, CancelCallbackData);
    const after = await post('/callbacks/retrieve', JSON.stringify({ id }), js());
    expectSuccess(after.json, Callback);
    expect(after.json.data).toMatchObject({
      callbackState: 'COMPLETED',
      callbackReason: 'CANCELLED',
    });
    const unknown = await post(
      '/callbacks/retrieve',
      JSON.stringify({ id: '01900000-0000-7000-8000-000000000000' }),
      java(),
    );
    expectError(unknown.res, unknown.json, 404, 40401);
  });

  it('callbacks stored before UUIDs keep their ids for retrieve and cancel', async () => {
    const created = await post(
      '/callbacks/create',
      jsCreateBody({ serviceName: 'support', phoneNumber: nycNumber(8) }),
      js(),
    );
    const legacy = 'cb_01JD8Z3Q5W7X9Y1Z2A3B4C5D6E';
    await h.t.services.store.db.kysely
      .updateTable('callbacks')
      .set({ id: legacy })
      .where('id', '=', (created.json.data as { id: string }).id)
      .execute();
    const got = await post('/callbacks/retrieve', JSON.stringify({ id: legacy }), js());
    expect(got.res.statusCode, got.res.body).toBe(200);
    expect(got.json.data).toMatchObject({ id: legacy });
    expect(
      (await post('/callbacks/cancel', JSON.stringify({ id: legacy }), js())).res.statusCode,
    ).toBe(200);
  });

  it("a full slot answers 429 with data.slots as the clients' map, the fuller list beside it", async () => {
    const book = (i: number) =>
      post(
        '/callbacks/create',
        javaCreateBody({
          serviceName: 'small',
          phoneNumber: nycNumber(i),
          desiredTime: '2026-11-26T15:00:00Z',
          alwaysCheckCapacity: true,
        }),
        java(),
      );
    expect((await book(20)).res.statusCode).toBe(200);
    const { res, json } = await book(21);
    expectError(res, json, 429, 42901);
    const data = json.data as {
      slots: Record<string, string>;
      proposals: { utcTime: string; capacity: number; total: number }[];
    };
    // Slot UTC time → remaining capacity, both strings: HashData in Java.
    expect(Object.keys(data.slots)).toHaveLength(5);
    expect(data.slots['2026-11-26T14:45:00.000Z']).toBe('1');
    expect(data.proposals).toContainEqual({
      utcTime: '2026-11-26T14:45:00.000Z',
      capacity: 1,
      total: 1,
    });
    expect(Object.keys(data.slots)).toEqual(data.proposals.map((p) => p.utcTime));
  });

  it('every other 429 carries a data the clients parse (an empty slots map)', async () => {
    const book = () =>
      post(
        '/callbacks/create',
        jsCreateBody({ serviceName: 'once', phoneNumber: nycNumber(30) }),
        js(),
      );
    expect((await book()).res.statusCode).toBe(200);
    const { res, json } = await book();
    expectError(res, json, 429, 42902);
    expect(json.data).toEqual({ slots: {} });
  });

  it('every booking is announced as created, then its state: an immediate one as queued', async () => {
    const { json } = await post(
      '/callbacks/create',
      jsCreateBody({ serviceName: 'support', phoneNumber: nycNumber(40) }),
      js(),
    );
    const id = (json.data as { id: string }).id;
    const history = await h.t.services.store.callbacks.history(h.tenant.id, id);
    expect(history.map((e) => e.type)).toEqual(['callback.created', 'callback.queued']);
  });
});
