import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { NEW_YORK_OFFICE, nycNumber } from '../booking/helpers.js';
import { credentialBodies, startFakes, type Fakes } from '../integrations/fakes.js';
import {
  Availabilities,
  CallInRequest,
  EstimatedWaitTime,
  NotificationPublish,
  OpenForData,
  QueueStatus,
  Slot,
  UUID_V7,
  expectModel,
  expectSuccess,
  javaHeaders,
  jsCreateBody,
  jsHeaders,
  jsQuery,
  wire,
} from './clients.js';

// Wednesday 2026-11-25, 10:00 in New York: the office is open.
const NOW = '2026-11-25T15:00:00.000Z';
const CACHE_BUSTER = 1796409999923;

describeEngines(
  'GES conformance: availability, status, EWT, call-in, statistics, push',
  (engine) => {
    let fakes: Fakes;
    let t: TestApp & { dropDatabase(): Promise<void> };
    let a: TestTenant;
    const get = (path: string, headers: Record<string, string> = jsHeaders(a.keys.engagement)) =>
      wire(t, { method: 'GET', url: `/engagement/v3${path}`, headers });
    const post = (
      path: string,
      payload: string,
      headers: Record<string, string> = jsHeaders(a.keys.engagement),
    ) => wire(t, { method: 'POST', url: `/engagement/v3${path}`, headers, payload });
    const admin = (method: 'PUT' | 'POST', url: string, payload: object) =>
      t.call({
        method,
        url: `/admin/v1${url}`,
        headers: { cookie: a.cookies.Administrator },
        payload,
      });
    const dispatch = (url: string, payload?: object) =>
      t.call<{ callback?: { id: string } }>({
        method: 'POST',
        url: `/dispatch/v1${url}`,
        headers: { 'x-api-key': a.keys.dispatch },
        ...(payload === undefined ? {} : { payload }),
      });
    const book = async (serviceName: string, i: number, extra: Record<string, unknown> = {}) => {
      const { res, json } = await post(
        '/callbacks/create',
        jsCreateBody({ serviceName, phoneNumber: nycNumber(i), ...extra }),
      );
      expect(res.statusCode, res.body).toBe(200);
      return (json.data as { id: string }).id;
    };

    beforeAll(async () => {
      fakes = await startFakes();
      t = await startTestApp(engine, { env: fakes.env });
      a = await t.tenant('acme', { timezone: 'America/New_York' });
      t.clock.set(NOW);
      for (const name of ['support', 'agents', 'held']) {
        const made = await admin('POST', '/queues', {
          name,
          ...NEW_YORK_OFFICE,
          slotDurationMinutes: 60,
        });
        expect(made.res.statusCode, made.res.body).toBe(200);
      }
    });
    afterAll(async () => {
      await t.close();
      await t.dropDatabase();
      await fakes.close();
    });
    beforeEach(() => t.clock.set(NOW));

    it('availability: a Date start and the "_" cache-buster; localTime in UTC without a timezone', async () => {
      const { res, json } = await get(
        `/callbacks/availability/support${jsQuery({ start: '2026-11-26T14:00:00.000Z', _: CACHE_BUSTER })}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      expectSuccess(json, Availabilities);
      const data = json.data as { slots: unknown[]; timezone: string };
      for (const slot of data.slots) expectModel(slot, Slot, 'slot');
      // GES: "If not specified, the default is UTC" for the zone localTime is written in.
      expect(data.timezone).toBe('UTC');
      expect(data.slots[0]).toEqual({
        utcTime: '2026-11-26T14:00:00.000Z',
        localTime: '2026-11-26T14:00:00.000+00:00',
        capacity: 10,
        total: 10,
      });
    });

    it('availability: zone-less start and end are read in the timezone asked for, localTime in it', async () => {
      const { res, json } = await get(
        `/callbacks/availability/support${jsQuery({
          start: '2026-11-26T09:00:00.000',
          end: '2026-11-26T12:00:00.000',
          timezone: 'America/New_York',
          reportBusy: 'TRUE',
        })}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      expectSuccess(json, Availabilities);
      const slots = (json.data as { slots: { utcTime: string; localTime: string }[] }).slots;
      for (const slot of slots) expectModel(slot, Slot, 'slot');
      expect(slots.map((s) => s.localTime)).toEqual([
        '2026-11-26T09:00:00.000-05:00',
        '2026-11-26T10:00:00.000-05:00',
        '2026-11-26T11:00:00.000-05:00',
      ]);
      expect(slots[0]?.utcTime).toBe('2026-11-26T14:00:00.000Z');
      // Without a timezone, a zone-less time is UTC (GES).
      const utc = await get(
        `/callbacks/availability/support${jsQuery({ start: '2026-11-26T14:00:00.000' })}`,
      );
      expect((utc.json.data as { slots: { utcTime: string }[] }).slots[0]?.utcTime).toBe(
        '2026-11-26T14:00:00.000Z',
      );
    });

    it('open-for: the flag as the admin guide spells it, and a zone-less start in the timezone', async () => {
      const { res, json } = await get(
        `/callbacks/open-for/support${jsQuery({
          start: '2026-11-25T16:00:00.000',
          timezone: 'America/New_York',
          returnWithinImmediateOffertime: 'true',
          _: CACHE_BUSTER,
        })}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      expectSuccess(json, OpenForData);
      // 16:00 in New York: one hour to close, inside the 30-minute blackout margin.
      expect(json.data).toEqual({ openFor: 3600, isWithinImmediateOfferTime: true });
    });

    it('queue-status: -1 with false when no agent is logged in, -1 with true before any history', async () => {
      const fresh = await get(`/callbacks/queue-status/agents${jsQuery({ _: CACHE_BUSTER })}`);
      expectSuccess(fresh.json, QueueStatus);
      expect(fresh.json.data).toEqual({
        ewt: -1,
        offerImmediateCallback: true,
        offerScheduledCallback: true,
      });
      expect(
        (await dispatch('/agents', { serviceName: 'agents', loggedIn: 0, available: 0 })).res
          .statusCode,
      ).toBe(200);
      const nobody = await get('/callbacks/queue-status/agents', javaHeaders(a.keys.engagement));
      expectSuccess(nobody.json, QueueStatus);
      expect(nobody.json.data).toEqual({
        ewt: -1,
        offerImmediateCallback: false,
        offerScheduledCallback: true,
      });
    });

    it('estimated-wait-time: mode3, include-calls-on-hold and a resultCode on every entry', async () => {
      // Two callbacks handled two minutes apart: one every 120 s. Then one held, one waiting.
      const first = await book('held', 50);
      const second = await book('held', 51);
      for (const id of [first, second]) {
        expect((await dispatch('/claim', { serviceNames: ['held'] })).body.data.callback?.id).toBe(
          id,
        );
        await dispatch(`/callbacks/${id}/start`);
        t.clock.advance(120_000);
        await dispatch(`/callbacks/${id}/finish`, { outcome: 'AGENT_CONNECTED' });
      }
      await book('held', 52);
      await book('held', 53);
      await dispatch('/claim', { serviceNames: ['held'] });
      const ewt = async (query: Record<string, string | number>) => {
        const { res, json } = await get(`/estimated-wait-time${jsQuery(query)}`);
        expect(res.statusCode, res.body).toBe(200);
        expectSuccess(json);
        const entries = json.data as Record<string, unknown>[];
        for (const entry of entries) expectModel(entry, EstimatedWaitTime, 'entry');
        return entries;
      };
      const plain = await ewt({ 'virtual-queues': 'held,nope', mode: 'mode3', _: CACHE_BUSTER });
      expect(plain).toEqual([
        { virtualQueue: 'held', estimatedWaitTime: 120, resultCode: 0 },
        {
          virtualQueue: 'nope',
          estimatedWaitTime: -1,
          resultCode: 40402,
          message: 'Service not found',
        },
      ]);
      const held = await ewt({
        'virtual-queues': 'held',
        mode: 'mode1',
        'include-calls-on-hold': 'true',
      });
      // The callback already handed to a dialer still counts as ahead of a newcomer.
      expect(held).toEqual([{ virtualQueue: 'held', estimatedWaitTime: 240, resultCode: 0 }]);
    });

    it('call-in: UUID ids and access codes a number keeps (no leading zero)', async () => {
      const group = await admin('PUT', '/call-in/groups/sales', {
        numbers: ['+18005550100'],
        accessCodeEnabled: true,
        accessCodeLength: 2,
        expirySeconds: 300,
      });
      expect(group.res.statusCode, group.res.body).toBe(200);
      const callbackId = await book('support', 60);
      const codes = new Set<number>();
      // 90 two-digit codes fit one number: every one of them must survive being read as a number.
      for (let i = 0; i < 90; i++) {
        const { res, json } = await post(
          '/call-in/requests/create',
          JSON.stringify({
            groupName: 'sales',
            fromPhoneNumber: '+12025550160',
            userData: { priority: 'high' },
            ...(i === 0 ? { callbackServiceId: callbackId } : {}),
          }),
          i % 2 === 0 ? jsHeaders(a.keys.engagement) : javaHeaders(a.keys.engagement),
        );
        expect(res.statusCode, res.body).toBe(200);
        expectSuccess(json, CallInRequest);
        const data = json.data as { id: string; accessCode: number; callbackServiceId?: string };
        expect(data.id).toMatch(UUID_V7);
        expect(String(data.accessCode)).toMatch(/^[1-9]\d$/);
        if (i === 0) expect(data.callbackServiceId).toBe(callbackId);
        codes.add(data.accessCode);
      }
      expect(codes.size).toBe(90);
      // An IVR may pass the code on as the number the customer read.
      const [code] = [...codes];
      const matched = await t.call({
        method: 'POST',
        url: '/engagement/v3/call-in/requests/match',
        headers: { 'x-api-key': a.keys.engagement },
        payload: { toPhoneNumber: '+18005550100', accessCode: code },
      });
      expect(matched.res.statusCode, matched.res.body).toBe(200);
    });

    it('statistics: the body-less POST with cache-control max-age, answered from our own figures', async () => {
      const js = await wire(t, {
        method: 'POST',
        url: '/engagement/v3/statistics/operations/get-statistic-ex',
        headers: {
          ...jsHeaders(a.keys.engagement),
          'content-length': '0',
          'cache-control': 'max-age=15',
        },
      });
      expect(js.res.statusCode, js.res.body).toBe(200);
      expectSuccess(js.json);
      const stats = (js.json.data as { statistics: { name: string; objectId: string }[] })
        .statistics;
      expect(stats).toContainEqual(
        expect.objectContaining({ name: 'CallbacksWaiting', objectId: 'support' }),
      );
      expect(new Set(stats.map((s) => s.objectId))).toEqual(new Set(['support', 'agents', 'held']));
      const java = await wire(t, {
        method: 'POST',
        url: '/engagement/v3/statistics/operations/get-statistic-ex',
        headers: { ...javaHeaders(a.keys.engagement), 'content-length': '0' },
        payload: '',
      });
      expect(java.res.statusCode, java.res.body).toBe(200);
    });

    it('statistics: with a registered source, max-age decides how old a cached answer may be', async () => {
      const saved = await admin(
        'PUT',
        '/credentials/statistics',
        credentialBodies(fakes).statistics,
      );
      expect(saved.res.statusCode, saved.res.body).toBe(200);
      const ask = (cacheControl?: string) =>
        wire(t, {
          method: 'POST',
          url: '/engagement/v3/statistics/operations/get-statistic-ex',
          headers: {
            ...jsHeaders(a.keys.engagement),
            'content-length': '0',
            ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
          },
        });
      const before = fakes.statistics.statisticRequests.length;
      expect((await ask('max-age=15')).res.statusCode).toBe(200);
      expect((await ask('max-age=15')).res.statusCode).toBe(200);
      expect(fakes.statistics.statisticRequests.length - before).toBe(1);
      t.clock.advance(20_000);
      // Older than the client accepts: asked again. Without a max-age the source's 60 s stand.
      expect((await ask('max-age=15')).res.statusCode).toBe(200);
      expect(fakes.statistics.statisticRequests.length - before).toBe(2);
      expect((await ask()).res.statusCode).toBe(200);
      expect(fakes.statistics.statisticRequests.length - before).toBe(2);
    });

    it("notification/publish takes GES's {channel, target, event, validate_only} and answers {name}", async () => {
      const saved = await admin(
        'PUT',
        '/credentials/push-fcm',
        credentialBodies(fakes)['push-fcm'],
      );
      expect(saved.res.statusCode, saved.res.body).toBe(200);
      const { res, json } = await post(
        '/notification/publish',
        JSON.stringify({
          channel: 'FCM',
          target: 'android-device-7',
          event: JSON.stringify({ notification: { title: 'Hello', body: 'Your callback' } }),
          validate_only: true,
        }),
      );
      expect(res.statusCode, res.body).toBe(200);
      expectSuccess(json, NotificationPublish);
      expect((json.data as { name: string }).name).toMatch(/\/messages\/\d+$/);
      expect(fakes.fcm.sends.at(-1)).toMatchObject({
        deviceToken: 'android-device-7',
        notification: { title: 'Hello', body: 'Your callback' },
        validateOnly: true,
      });
    });

    it('notification/publish names what is missing, in either shape', async () => {
      const { res, json } = await post('/notification/publish', JSON.stringify({ channel: 'FCM' }));
      expect(res.statusCode).toBe(400);
      expect(json.status).toMatchObject({ code: 40002, message: 'Missing parameter: body.target' });
    });

    it('a browser page may send the statistics cache-control header (CORS preflight)', async () => {
      const origin = 'https://www.acme.example';
      await t.services.tenants.addOrigin({ tenantId: 'acme', name: 'test' }, origin, 'test');
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/engagement/v3/statistics/operations/get-statistic-ex',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'cache-control,content-type,x-api-key',
        },
      });
      expect(res.statusCode).toBe(204);
      const allowed = String(res.headers['access-control-allow-headers']).split(/,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining(['cache-control', 'content-type', 'x-api-key']),
      );
    });

    it('a booking\'s push target on channel "FCM" (GES\'s spelling) is notified', async () => {
      const sent = fakes.fcm.sends.length;
      await book('support', 70, { pushTargets: [{ channel: 'FCM', target: 'android-device-8' }] });
      await t.services.eventDispatcher.dispatch(t.clock.now());
      expect(fakes.fcm.sends.slice(sent).map((s) => s.deviceToken)).toContain('android-device-8');
    });
  },
);
