import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { startTestApp, type Envelope, type TestApp, type TestTenant } from '../../helpers/app.js';
import type { EngineName } from '../../helpers/engines.js';
import type { QueueSettingsPatch } from '../../../src/domain/queue-settings.js';

/** A response as a booking test reads it. */
export interface Answer<T = Record<string, unknown>> {
  res: LightMyRequestResponse;
  body: Envelope<T>;
}

/** A New York office: weekdays 09:00–17:00, a short Christmas Eve, closed on Christmas Day. */
export const NEW_YORK_OFFICE = {
  timezone: 'America/New_York',
  businessHours: {
    weekly: {
      mon: [['09:00', '17:00']],
      tue: [['09:00', '17:00']],
      wed: [['09:00', '17:00']],
      thu: [['09:00', '17:00']],
      fri: [['09:00', '17:00']],
    },
    special: [
      { date: '2026-12-24', hours: [['09:00', '12:00']] },
      { date: '2026-12-25', hours: [] },
    ],
  },
  immediateBlackoutMinutes: 30,
} satisfies QueueSettingsPatch;

/** The booking API of one tenant on a real app: engagement calls, admin calls, error-log look-ups. */
export interface BookingHarness {
  t: TestApp & { dropDatabase(): Promise<void> };
  tenant: TestTenant;
  /** An Engagement API v3 call with the tenant's key (`url` below /engagement/v3). */
  engage<T = Record<string, unknown>>(
    method: InjectOptions['method'],
    url: string,
    payload?: InjectOptions['payload'],
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  /** An admin API call as the tenant's Administrator (`url` below /admin/v1). */
  admin<T = Record<string, unknown>>(
    method: InjectOptions['method'],
    url: string,
    payload?: InjectOptions['payload'],
  ): Promise<Answer<T>>;
  /** Creates a queue through the admin API and asserts it was accepted. */
  createQueue(settings: Record<string, unknown>): Promise<void>;
  /** POST /callbacks/create. */
  book(payload: Record<string, unknown>): Promise<Answer<{ id: string }>>;
  /** POST /callbacks/create that must succeed; the new id. */
  bookOk(payload: Record<string, unknown>): Promise<string>;
  /**
   * Asserts a GES error envelope (HTTP status, code, message), the correlation ID in header and
   * body, and that the error can be found in the admin error log by that correlation ID.
   */
  expectError(answer: Answer<unknown>, http: number, code: number, message: RegExp): Promise<void>;
  /** How many callbacks and callback events the tenant has in the database. */
  stored(): Promise<{ callbacks: number; events: number }>;
  close(): Promise<void>;
}

/** Boots a fresh app on `engine` with one tenant (New York) and returns the booking helpers. */
export async function startBooking(engine: EngineName, tenantId = 'acme'): Promise<BookingHarness> {
  const t = await startTestApp(engine);
  const tenant = await t.tenant(tenantId, { timezone: 'America/New_York' });

  const engage: BookingHarness['engage'] = (method, url, payload, headers = {}) =>
    t.call({
      method,
      url: `/engagement/v3${url}`,
      headers: { 'x-api-key': tenant.keys.engagement, ...headers },
      ...(payload === undefined ? {} : { payload }),
    });
  const admin: BookingHarness['admin'] = (method, url, payload) =>
    t.call({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie: tenant.cookies.Administrator },
      ...(payload === undefined ? {} : { payload }),
    });

  const createQueue: BookingHarness['createQueue'] = async (settings) => {
    const { res, body } = await admin('POST', '/queues', settings);
    expect(res.statusCode, JSON.stringify(body.status)).toBe(200);
  };
  const book: BookingHarness['book'] = (payload) => engage('POST', '/callbacks/create', payload);
  const bookOk: BookingHarness['bookOk'] = async (payload) => {
    const { res, body } = await book(payload);
    expect(res.statusCode, JSON.stringify(body.status)).toBe(200);
    return body.data.id;
  };

  const expectError: BookingHarness['expectError'] = async (answer, http, code, message) => {
    const { res, body } = answer;
    expect(res.statusCode, JSON.stringify(body)).toBe(http);
    expect(body.status.code).toBe(code);
    expect(body.status.message).toMatch(message);
    expect(body.status.corrId).toBe(res.headers['x-correlation-id']);
    const logged = await admin<{ items: { corrId: string; code: number; statusCode: number }[] }>(
      'GET',
      `/errors?corrId=${encodeURIComponent(body.status.corrId)}`,
    );
    expect(logged.res.statusCode).toBe(200);
    expect(logged.body.data.items).toEqual([
      expect.objectContaining({ corrId: body.status.corrId, code, statusCode: http }),
    ]);
  };

  const stored: BookingHarness['stored'] = async () => {
    const { kysely } = t.services.store.db;
    const [callbacks, events] = await Promise.all([
      kysely
        .selectFrom('callbacks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenant.id)
        .executeTakeFirstOrThrow(),
      kysely
        .selectFrom('callback_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenant.id)
        .executeTakeFirstOrThrow(),
    ]);
    return { callbacks: Number(callbacks.n), events: Number(events.n) };
  };

  return {
    t,
    tenant,
    engage,
    admin,
    createQueue,
    book,
    bookOk,
    expectError,
    stored,
    close: async () => {
      await t.close();
      await t.dropDatabase();
    },
  };
}

/** The GES retrieve view of a callback. */
export type { CallbackView } from '../../../src/http/schemas/callbacks.js';

/** ISO 8601 in UTC with milliseconds and "Z", as GES writes instants. */
export const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The distinct valid New York number for index `i` (0–99), for tests that need many callers. */
export const nycNumber = (i: number) => `+1212555${String(100 + i).padStart(4, '0')}`;

/** The availability answer, as the service defines it. */
export type { Availability } from '../../../src/services/queue-info.js';
