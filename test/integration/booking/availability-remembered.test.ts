import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { PG_URL, describeEngines } from '../../helpers/engines.js';
import {
  NEW_YORK_OFFICE,
  nycNumber,
  startBooking,
  type Availability,
  type BookingHarness,
} from './helpers.js';

// The service remembers availability answers between changes; these are the changes a visitor
// must see at once, and the differences between questions that must never be mixed up.

// Wednesday 2026-11-25, 10:05 in New York.
const NOW = '2026-11-25T15:05:00.000Z';
// Thursday 11:00 in New York.
const SLOT = '2026-11-26T16:00:00.000Z';
const WEEK = '?numberOfDays=7';

describeEngines('availability answers stay right while remembered', (engine) => {
  let h: BookingHarness;
  let queues = 0;
  // A fresh queue per test, so no test sees another's bookings.
  let queue = '';
  const availability = (query: string, headers: Record<string, string> = {}) =>
    h.engage<Availability>('GET', `/callbacks/availability/${queue}${query}`, undefined, headers);
  const slotAt = async (query: string, utcTime: string) =>
    (await availability(query)).body.data.slots.find((s) => s.utcTime === utcTime);

  beforeAll(async () => {
    h = await startBooking(engine);
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    h.t.clock.set(NOW);
    queue = `ny${++queues}`;
    await h.createQueue({
      name: queue,
      ...NEW_YORK_OFFICE,
      slotDurationMinutes: 60,
      slotCapacity: 2,
    });
  });

  it('gives every answer its own correlation ID, in the body as in the header', async () => {
    const first = await availability(WEEK, { 'x-correlation-id': 'visitor-1' });
    const second = await availability(WEEK, { 'x-correlation-id': 'visitor-2' });
    const minted = await availability(WEEK);
    expect(first.body.status).toEqual({ code: 0, message: 'Successful', corrId: 'visitor-1' });
    expect(second.body.status).toEqual({ code: 0, message: 'Successful', corrId: 'visitor-2' });
    expect(minted.body.status.corrId).toBe(minted.res.headers['x-correlation-id']);
    expect(minted.body.status.corrId).not.toMatch(/^visitor-/);
    expect(second.body.data).toEqual(first.body.data);
    expect(minted.body.data).toEqual(first.body.data);
    expect(first.body.data.slots).toHaveLength(40);
    expect(first.res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(first.res.headers['content-length'])).toBe(first.res.rawPayload.length);
  });

  it('shows a booking and a cancellation on this node in the very next answer', async () => {
    expect(await slotAt(WEEK, SLOT)).toMatchObject({ capacity: 2, total: 2 });
    const id = await h.bookOk({ serviceName: queue, phoneNumber: nycNumber(1), desiredTime: SLOT });
    expect(await slotAt(WEEK, SLOT)).toMatchObject({ capacity: 1, total: 2 });
    await h.bookOk({ serviceName: queue, phoneNumber: nycNumber(2), desiredTime: SLOT });
    expect(await slotAt(WEEK, SLOT)).toBeUndefined();
    await h.engage('POST', '/callbacks/cancel', { id });
    expect(await slotAt(WEEK, SLOT)).toMatchObject({ capacity: 1, total: 2 });
  });

  it('shows a change of the settings in the very next answer', async () => {
    expect(await slotAt(WEEK, SLOT)).toMatchObject({ total: 2 });
    const changed = await h.admin('PATCH', `/queues/${queue}`, { slotCapacity: 5 });
    expect(changed.res.statusCode).toBe(200);
    expect(await slotAt(WEEK, SLOT)).toMatchObject({ capacity: 5, total: 5 });
  });

  it('answers reportBusy, maxTimeSlots and timezone each for itself, in any order', async () => {
    for (const i of [1, 2]) {
      await h.bookOk({ serviceName: queue, phoneNumber: nycNumber(i), desiredTime: SLOT });
    }
    const utc = (a: Availability) => a.slots.map((s) => s.utcTime);
    const open = (await availability(WEEK)).body.data;
    const busy = (await availability(`${WEEK}&reportBusy=true`)).body.data;
    expect(utc(open)).not.toContain(SLOT);
    expect(busy.slots.find((s) => s.utcTime === SLOT)).toMatchObject({ capacity: 0, total: 2 });
    expect(utc(busy).filter((t) => t !== SLOT)).toEqual(utc(open));

    const three = (await availability(`${WEEK}&maxTimeSlots=3`)).body.data;
    expect(three.slots).toEqual(open.slots.slice(0, 3));
    const berlin = (await availability(`${WEEK}&timezone=Europe/Berlin`)).body.data;
    expect(berlin.timezone).toBe('Europe/Berlin');
    expect(berlin.slots[0]?.localTime).toBe('2026-11-25T17:00:00.000+01:00');
    expect(utc(berlin)).toEqual(utc(open));

    // Asked again, the plain question still gets all of its own answer.
    const again = (await availability(WEEK)).body.data;
    expect(again).toEqual(open);
    expect(again.timezone).toBe('UTC');
  });

  it('drops a slot once it has started and reaches a slot further as the week moves on', async () => {
    const before = (await availability(WEEK)).body.data.slots;
    expect(before[0]?.utcTime).toBe('2026-11-25T16:00:00.000Z');
    expect(before.at(-1)?.utcTime).toBe('2026-12-02T15:00:00.000Z');
    h.t.clock.set('2026-11-25T16:00:00.001Z');
    const after = (await availability(WEEK)).body.data.slots;
    expect(after[0]?.utcTime).toBe('2026-11-25T17:00:00.000Z');
    expect(after.at(-1)?.utcTime).toBe('2026-12-02T16:00:00.000Z');
    expect(after).toHaveLength(before.length);
  });

  it('over real connections, answers still being written each keep their own ID and slots', async () => {
    // A month of 5-minute slots around the clock is ~1 MB. Six such answers pipelined to a client
    // that is not reading yet are more than its socket takes, so the last are still waiting to be
    // written when another client's answers are made.
    const always = `${queue}-always`;
    await h.createQueue({ name: always, timezone: 'America/New_York', slotDurationMinutes: 5 });
    const url = (i: number) => `/callbacks/availability/${always}?numberOfDays=${31 - (i % 2)}`;
    const expected = await Promise.all(
      [0, 1].map(async (i) => (await h.engage<Availability>('GET', url(i))).body.data),
    );
    expect(expected[0]?.slots).toHaveLength(31 * 288);
    await h.t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.t.app.server.address() as AddressInfo;
    const pipelined = async (client: string, count: number) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.pause();
      for (let i = 0; i < count; i++) {
        socket.write(
          `GET /engagement/v3${url(i)} HTTP/1.1\r\nhost: test\r\n` +
            `connection: ${i === count - 1 ? 'close' : 'keep-alive'}\r\n` +
            `x-api-key: ${h.tenant.keys.engagement}\r\nx-correlation-id: ${client}-${i}\r\n\r\n`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      return socket;
    };
    const slow = await pipelined('slow', 6);
    const other = await pipelined('other', 2);
    for (const [client, socket, count] of [
      ['slow', slow, 6],
      ['other', other, 2],
    ] as const) {
      const bodies = splitResponses(await readAll(socket));
      expect(bodies).toHaveLength(count);
      bodies.forEach((text, i) => {
        const body = JSON.parse(text) as { status: { corrId: string }; data: Availability };
        expect(body.status.corrId).toBe(`${client}-${i}`);
        expect(body.data).toEqual(expected[i % 2]);
      });
    }
  });
});

/** Everything the server sends until it closes the connection. */
function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.resume();
  });
}

/** The bodies of HTTP/1.1 responses sent one after the other, each with a content-length. */
function splitResponses(stream: Buffer): string[] {
  const bodies: string[] = [];
  let at = 0;
  while (at < stream.length) {
    const headEnd = stream.indexOf('\r\n\r\n', at);
    const head = stream.subarray(at, headEnd).toString('latin1');
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    bodies.push(stream.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8'));
    at = headEnd + 4 + length;
  }
  return bodies;
}

// Several nodes share one database only on PostgreSQL.
describe.runIf(PG_URL !== undefined)('availability after a booking on another node', () => {
  let h: BookingHarness;
  let second: TestApp;

  beforeAll(async () => {
    h = await startBooking('postgres');
    second = await startTestApp('postgres', { shared: h.t.config.database, clock: h.t.clock });
    await h.createQueue({
      name: 'ny',
      ...NEW_YORK_OFFICE,
      slotDurationMinutes: 60,
      slotCapacity: 2,
    });
  });
  afterAll(async () => {
    await second.close();
    await h.close();
  });

  /** Remaining capacity of the slot at `utcTime`, as the first node answers. */
  const capacityAt = async (utcTime: string) =>
    (await h.engage<Availability>('GET', `/callbacks/availability/ny${WEEK}`)).body.data.slots.find(
      (s) => s.utcTime === utcTime,
    )?.capacity;

  /** Books the slot at `utcTime` through the second node. */
  async function bookOnSecond(phoneNumber: string, utcTime: string) {
    const booked = await second.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': h.tenant.keys.engagement },
      payload: { serviceName: 'ny', phoneNumber, desiredTime: utcTime },
    });
    expect(booked.res.statusCode).toBe(200);
  }

  it('shows it once the other node tells of the booking, with no clock moving', async () => {
    h.t.clock.set(NOW);
    expect(await capacityAt(SLOT)).toBe(2);
    await bookOnSecond(nycNumber(1), SLOT);
    // The recount starts with the first answer after the news; one that takes longer than an
    // answer waits for it (a loaded machine) leaves that answer with the figure it had.
    await vi.waitFor(async () => expect(await capacityAt(SLOT)).toBe(1));
  });

  it('holds them while a bulk change of the queue runs on the other node, and shows the change once it ends', async () => {
    h.t.clock.set(NOW);
    const tenantId = h.tenant.id;
    // An hour after the slot the test above books.
    const later = '2026-11-26T17:00:00.000Z';
    expect(await capacityAt(later)).toBe(2);
    second.services.activity.bulkChangeBegins(tenantId, 'ny');
    // The news comes over LISTEN/NOTIFY.
    await vi.waitFor(() =>
      expect(h.t.services.activity.stamp(tenantId, 'ny', h.t.clock.now()).inBulkChange).toBe(true),
    );
    await bookOnSecond(nycNumber(7), later);
    h.t.clock.advance(5_000);
    expect(await capacityAt(later)).toBe(2);
    second.services.activity.bulkChangeEnds(tenantId, 'ny');
    await vi.waitFor(async () => expect(await capacityAt(later)).toBe(1));
  });
});
