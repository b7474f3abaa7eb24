import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { NEW_YORK_OFFICE, nycNumber, startBooking, type BookingHarness } from './helpers.js';

// Browsers and the GES clients send accept-encoding; the week's availability (the largest answer
// a visitor fetches) comes back compressed, and decodes to exactly what an identity client reads.

// Wednesday 2026-11-25, 10:05 in New York; the slot is Thursday 11:00 there.
const NOW = '2026-11-25T15:05:00.000Z';
const SLOT = '2026-11-26T16:00:00.000Z';
const WEEK = '/engagement/v3/callbacks/availability/ny?numberOfDays=7';

const decode: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gunzipSync(body),
  br: (body) => zlib.brotliDecompressSync(body),
  identity: (body) => body,
};

describeEngines('availability compressed as the client accepts', (engine) => {
  let h: BookingHarness;

  beforeAll(async () => {
    h = await startBooking(engine);
    h.t.clock.set(NOW);
    await h.createQueue({
      name: 'ny',
      ...NEW_YORK_OFFICE,
      slotDurationMinutes: 15,
      slotCapacity: 10,
    });
  });
  afterAll(async () => h.close());

  /** The week's answer as sent and as decoded, asked with `accept-encoding` (or none). */
  async function week(acceptEncoding: string | undefined, corrId = 'visitor') {
    const res = await h.t.app.inject({
      method: 'GET',
      url: WEEK,
      headers: {
        'x-api-key': h.tenant.keys.engagement,
        'x-correlation-id': corrId,
        ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['vary']).toMatch(/accept-encoding/i);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const encoding = String(res.headers['content-encoding'] ?? 'identity');
    const decoder = decode[encoding];
    if (!decoder) throw new Error(`unexpected content-encoding ${encoding}`);
    return { encoding, sent: res.rawPayload.length, text: decoder(res.rawPayload).toString() };
  }

  it('answers identity without accept-encoding, and gzip and br that decode to exactly it', async () => {
    const identity = await week(undefined);
    expect(identity.encoding).toBe('identity');
    const body = JSON.parse(identity.text) as { status: { corrId: string }; data: unknown };
    expect(body.status).toEqual({ code: 0, message: 'Successful', corrId: 'visitor' });
    for (const [accept, encoding] of [
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['*', 'br'],
      ['deflate', 'identity'],
      ['gzip;q=0.5, identity', 'identity'],
    ] as const) {
      const answer = await week(accept);
      expect(answer.encoding, accept).toBe(encoding);
      expect(answer.text, accept).toBe(identity.text);
      if (encoding !== 'identity') expect(answer.sent).toBeLessThan(identity.sent / 4);
    }
  });

  it('carries each request its own correlation ID in every coding', async () => {
    for (const accept of ['gzip', 'br']) {
      const first = JSON.parse((await week(accept, 'first')).text) as { status: object };
      const second = JSON.parse((await week(accept, 'second-and-longer')).text) as {
        status: object;
      };
      expect(first.status).toEqual({ code: 0, message: 'Successful', corrId: 'first' });
      expect(second.status).toEqual({
        code: 0,
        message: 'Successful',
        corrId: 'second-and-longer',
      });
    }
  });

  it('changes the compressed answer too once a booking changes the queue', async () => {
    const before = { gzip: await week('gzip'), br: await week('br') };
    await h.bookOk({ serviceName: 'ny', phoneNumber: nycNumber(1), desiredTime: SLOT });
    const identity = await week(undefined);
    for (const coding of ['gzip', 'br'] as const) {
      const after = await week(coding);
      expect(after.text).toBe(identity.text);
      expect(after.text).not.toBe(before[coding].text);
      const slot = (JSON.parse(after.text) as { data: { slots: { utcTime: string }[] } }).data
        .slots;
      expect(slot.find((s) => s.utcTime === SLOT)).toMatchObject({ capacity: 9 });
    }
  });

  it('leaves a small answer uncompressed', async () => {
    const res = await h.t.app.inject({
      method: 'GET',
      url: '/engagement/v3/callbacks/availability/ny?numberOfDays=1&maxTimeSlots=2',
      headers: { 'x-api-key': h.tenant.keys.engagement, 'accept-encoding': 'gzip, br' },
    });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.json<{ data: { slots: unknown[] } }>().data.slots).toHaveLength(2);
  });
});
