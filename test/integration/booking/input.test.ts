import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startBooking, type BookingHarness } from './helpers.js';

type Case = [
  what: string,
  method: 'GET' | 'POST',
  url: string,
  payload: string | undefined,
  contentType: string | undefined,
  http: number,
  code: number,
  message: RegExp,
];

const json = (value: unknown) => JSON.stringify(value);
const JSON_TYPE = 'application/json';
const ok = { serviceName: 'support', phoneNumber: '+12125550100' };

// Every kind of bad input a client can send, each with the clear error it must get.
const CASES: Case[] = [
  ['an empty object', 'POST', '/callbacks/create', '{}', JSON_TYPE, 400, 40002, /serviceName/],
  [
    'no phone number',
    'POST',
    '/callbacks/create',
    json({ serviceName: 'support' }),
    JSON_TYPE,
    400,
    40002,
    /Missing parameter: body\.phoneNumber/,
  ],
  [
    'an empty phone number',
    'POST',
    '/callbacks/create',
    json({ ...ok, phoneNumber: '' }),
    JSON_TYPE,
    400,
    40001,
    /phoneNumber/,
  ],
  [
    'a priority that is text',
    'POST',
    '/callbacks/create',
    json({ ...ok, priority: 'high' }),
    JSON_TYPE,
    400,
    40001,
    /body\.priority/,
  ],
  [
    'a fractional priority',
    'POST',
    '/callbacks/create',
    json({ ...ok, priority: 1.5 }),
    JSON_TYPE,
    400,
    40001,
    /body\.priority/,
  ],
  [
    'alwaysCheckCapacity that is not a boolean',
    'POST',
    '/callbacks/create',
    json({ ...ok, alwaysCheckCapacity: 'maybe' }),
    JSON_TYPE,
    400,
    40001,
    /body\.alwaysCheckCapacity/,
  ],
  [
    'userData that is text',
    'POST',
    '/callbacks/create',
    json({ ...ok, userData: 'vip' }),
    JSON_TYPE,
    400,
    40001,
    /body\.userData/,
  ],
  [
    'userData that is an array',
    'POST',
    '/callbacks/create',
    json({ ...ok, userData: ['vip'] }),
    JSON_TYPE,
    400,
    40001,
    /userData/,
  ],
  [
    'a cbOfferType longer than any report field',
    'POST',
    '/callbacks/create',
    json({ ...ok, cbOfferType: 'x'.repeat(257) }),
    JSON_TYPE,
    400,
    40001,
    /body\.cbOfferType/,
  ],
  [
    'pushTargets that is not a list',
    'POST',
    '/callbacks/create',
    json({ ...ok, pushTargets: 'fcm' }),
    JSON_TYPE,
    400,
    40001,
    /body\.pushTargets/,
  ],
  ['a JSON array as body', 'POST', '/callbacks/create', json([ok]), JSON_TYPE, 400, 40001, /body/],
  [
    'a JSON null body',
    'POST',
    '/callbacks/create',
    'null',
    JSON_TYPE,
    400,
    40001,
    /body must be object/,
  ],
  [
    'malformed JSON',
    'POST',
    '/callbacks/create',
    '{"serviceName": "support", ',
    JSON_TYPE,
    400,
    40006,
    /Malformed request body/,
  ],
  ['an empty JSON body', 'POST', '/callbacks/create', '', JSON_TYPE, 400, 40006, /Malformed/],
  [
    'a form-encoded body',
    'POST',
    '/callbacks/create',
    'serviceName=support',
    'application/x-www-form-urlencoded',
    415,
    41501,
    /content type/,
  ],
  [
    'a plain-text body',
    'POST',
    '/callbacks/create',
    'serviceName=support',
    'text/plain',
    400,
    40001,
    /body must be object/,
  ],
  [
    'a huge body',
    'POST',
    '/callbacks/create',
    json({ ...ok, userData: { blob: 'x'.repeat(100_000) } }),
    JSON_TYPE,
    413,
    41301,
    /too large/,
  ],
  [
    'an unknown service',
    'POST',
    '/callbacks/create',
    json({ ...ok, serviceName: 'nope' }),
    JSON_TYPE,
    404,
    40402,
    /Service "nope" not found/,
  ],
  [
    'a service name that is too long',
    'POST',
    '/callbacks/create',
    json({ ...ok, serviceName: 's'.repeat(65) }),
    JSON_TYPE,
    400,
    40001,
    /body\.serviceName/,
  ],
  ['cancel without id', 'POST', '/callbacks/cancel', '{}', JSON_TYPE, 400, 40002, /id/],
  [
    'retrieve of an unknown id',
    'POST',
    '/callbacks/retrieve',
    json({ id: 'cb_nope' }),
    JSON_TYPE,
    404,
    40401,
    /cb_nope not found/,
  ],
  [
    'reschedule without desiredTime',
    'POST',
    '/callbacks/reschedule',
    json({ id: 'cb_nope' }),
    JSON_TYPE,
    400,
    40002,
    /desiredTime/,
  ],
  [
    'query by unknown state',
    'POST',
    '/callbacks/query',
    json({ states: ['WAITING'] }),
    JSON_TYPE,
    400,
    40001,
    /states/,
  ],
  [
    'query with a number that is not one',
    'POST',
    '/callbacks/query',
    json({ phoneNumber: 'call me' }),
    JSON_TYPE,
    400,
    40003,
    /"call me"/,
  ],
  [
    'availability of an unknown service',
    'GET',
    '/callbacks/availability/nope',
    undefined,
    undefined,
    404,
    40402,
    /"nope"/,
  ],
  [
    'availability with startMS that is text',
    'GET',
    '/callbacks/availability/support?startMS=soon',
    undefined,
    undefined,
    400,
    40001,
    /startMS/,
  ],
  [
    'availability with a start that is no date',
    'GET',
    '/callbacks/availability/support?start=monday',
    undefined,
    undefined,
    400,
    40001,
    /start: "monday" is not an ISO 8601 date-time/,
  ],
  [
    'availability with reportBusy that is not a boolean',
    'GET',
    '/callbacks/availability/support?reportBusy=perhaps',
    undefined,
    undefined,
    400,
    40001,
    /reportBusy/,
  ],
  [
    'availability for zero days',
    'GET',
    '/callbacks/availability/support?numberOfDays=0',
    undefined,
    undefined,
    400,
    40001,
    /numberOfDays/,
  ],
  [
    'open-for in an unknown time zone',
    'GET',
    '/callbacks/open-for/support?timezone=Moon/Base',
    undefined,
    undefined,
    400,
    40001,
    /Moon\/Base/,
  ],
  [
    'open-for of an unknown service',
    'GET',
    '/callbacks/open-for/nope',
    undefined,
    undefined,
    404,
    40402,
    /"nope"/,
  ],
  [
    'queue-status of an unknown queue',
    'GET',
    '/callbacks/queue-status/nope',
    undefined,
    undefined,
    404,
    40402,
    /"nope"/,
  ],
  [
    'estimated-wait-time without queues',
    'GET',
    '/estimated-wait-time',
    undefined,
    undefined,
    400,
    40002,
    /virtual-queues/,
  ],
  [
    'estimated-wait-time with an unknown mode',
    'GET',
    '/estimated-wait-time?virtual-queues=support&mode=mode4',
    undefined,
    undefined,
    400,
    40001,
    /mode/,
  ],
];

describeEngines('bad input to the Engagement API', (engine) => {
  let h: BookingHarness;
  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'support' });
  });
  afterAll(async () => h.close());

  it.each(CASES)(
    '%s → a clear envelope error, in the error log, nothing stored',
    async (_what, method, url, payload, contentType, http, code, message) => {
      const before = await h.stored();
      const answer = await h.engage(
        method,
        url,
        payload,
        contentType === undefined ? {} : { 'content-type': contentType },
      );
      await h.expectError(answer, http, code, message);
      expect(await h.stored()).toEqual(before);
    },
  );

  it('an unknown path answers 40403 in the envelope', async () => {
    const { res, body } = await h.engage('GET', '/callbacks/everything');
    expect(res.statusCode).toBe(404);
    expect(body.status).toEqual({
      code: 40403,
      message: 'No route GET /engagement/v3/callbacks/everything',
      corrId: res.headers['x-correlation-id'],
    });
  });

  it("an error answers under the client's correlation ID, and the error log finds it by that ID", async () => {
    const answer = await h.engage(
      'POST',
      '/callbacks/create',
      { serviceName: 'support', phoneNumber: 'not a number' },
      { 'x-correlation-id': 'checkout-7f3a' },
    );
    expect(answer.res.headers['x-correlation-id']).toBe('checkout-7f3a');
    await h.expectError(answer, 400, 40003, /"not a number"/);
    expect(answer.body.status.corrId).toBe('checkout-7f3a');
  });

  it('ignores fields it does not know (a GES client may send more)', async () => {
    const { res } = await h.book({ ...ok, somethingNew: 'x' });
    expect(res.statusCode).toBe(200);
  });
});
