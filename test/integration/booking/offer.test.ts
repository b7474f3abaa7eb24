import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { NEW_YORK_OFFICE, nycNumber, startBooking, type BookingHarness } from './helpers.js';

// Wednesday 2026-11-25, 10:00 in New York.
const NOW = '2026-11-25T15:00:00.000Z';

interface OpenFor {
  openFor: number;
  immediateOfferHoursOpenFor?: number;
  isWithinImmediateOfferTime?: boolean;
  isImmediateEnabled?: boolean;
}
interface QueueStatus {
  ewt: number;
  offerImmediateCallback: boolean;
  offerScheduledCallback: boolean;
}
type Ewt = { virtualQueue: string; estimatedWaitTime: number; message?: string }[];

describeEngines('open-for, queue-status and estimated wait time', (engine) => {
  let h: BookingHarness;
  const openFor = (service: string, query: string) =>
    h.engage<OpenFor>('GET', `/callbacks/open-for/${service}${query}`);
  const openForAt = async (service: string, start: string, flags = '') =>
    (await openFor(service, `?start=${encodeURIComponent(start)}${flags}`)).body.data;
  const status = async (service: string) =>
    (await h.engage<QueueStatus>('GET', `/callbacks/queue-status/${service}`)).body.data;

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'ny', ...NEW_YORK_OFFICE });
    await h.createQueue({
      name: 'offer-hours',
      ...NEW_YORK_OFFICE,
      immediateOfferHours: { weekly: { wed: [['10:00', '15:00']] } },
    });
    // A Saturday night shift into Sunday: it spans both 2026 DST changes in New York.
    await h.createQueue({
      name: 'night',
      timezone: 'America/New_York',
      businessHours: { weekly: { sat: [['22:00', '04:00']] } },
    });
    await h.createQueue({
      name: 'off',
      ...NEW_YORK_OFFICE,
      immediateEnabled: false,
      scheduledEnabled: false,
    });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.t.clock.set(NOW));

  describe('GET /callbacks/open-for/{service-name}', () => {
    it('answers seconds until close from now, and only openFor without flags', async () => {
      const { res, body } = await openFor('ny', '');
      expect(res.statusCode).toBe(200);
      expect(body.data).toEqual({ openFor: 7 * 3600 });
      expect(body.status.corrId).toBe(res.headers['x-correlation-id']);
    });

    it.each([
      ['before opening', '2026-11-25T08:00:00-05:00', 0],
      ['at opening', '2026-11-25T09:00:00-05:00', 8 * 3600],
      ['mid-day', '2026-11-25T12:00:00-05:00', 5 * 3600],
      ['in the blackout before close', '2026-11-25T16:45:00-05:00', 900],
      ['at closing', '2026-11-25T17:00:00-05:00', 0],
      ['on Saturday', '2026-11-28T12:00:00-05:00', 0],
      ['on the short special day', '2026-12-24T10:00:00-05:00', 7200],
      ['on the closed special day', '2026-12-25T10:00:00-05:00', 0],
    ])('%s', async (_when, start, seconds) => {
      expect((await openForAt('ny', start)).openFor).toBe(seconds);
    });

    it('counts real seconds on the DST nights in New York', async () => {
      // Fall back: from 00:00 EDT to 04:00 EST is five real hours.
      expect((await openForAt('night', '2026-11-01T00:00:00-04:00')).openFor).toBe(5 * 3600);
      // Spring forward: from 00:00 EST to 04:00 EDT is three real hours.
      expect((await openForAt('night', '2026-03-08T00:00:00-05:00')).openFor).toBe(3 * 3600);
      // 01:30 happens twice on the fall-back night; each answer is its own real time to close.
      expect((await openForAt('night', '2026-11-01T01:30:00-04:00')).openFor).toBe(3.5 * 3600);
      expect((await openForAt('night', '2026-11-01T01:30:00-05:00')).openFor).toBe(2.5 * 3600);
    });

    it('queryImmediateOfferHours: -1 without offer hours, 0 outside them, else seconds left', async () => {
      const flag = '&queryImmediateOfferHours=true';
      expect(await openForAt('ny', '2026-11-25T12:00:00-05:00', flag)).toEqual({
        openFor: 5 * 3600,
        immediateOfferHoursOpenFor: -1,
      });
      expect(
        (await openForAt('offer-hours', '2026-11-25T12:00:00-05:00', flag))
          .immediateOfferHoursOpenFor,
      ).toBe(3 * 3600);
      expect(
        (await openForAt('offer-hours', '2026-11-25T16:00:00-05:00', flag))
          .immediateOfferHoursOpenFor,
      ).toBe(0);
    });

    it('returnWithinImmediateOfferTime: business hours less the blackout, or the offer hours', async () => {
      const flag = '&returnWithinImmediateOfferTime=true';
      const within = async (service: string, start: string) =>
        (await openForAt(service, start, flag)).isWithinImmediateOfferTime;
      expect(await within('ny', '2026-11-25T12:00:00-05:00')).toBe(true);
      expect(await within('ny', '2026-11-25T16:29:00-05:00')).toBe(true);
      expect(await within('ny', '2026-11-25T16:45:00-05:00')).toBe(false);
      expect(await within('ny', '2026-11-25T08:00:00-05:00')).toBe(false);
      expect(await within('offer-hours', '2026-11-25T14:00:00-05:00')).toBe(true);
      expect(await within('offer-hours', '2026-11-25T15:30:00-05:00')).toBe(false);
    });

    it("checkImmediateEnabled: the queue's immediate-enabled setting", async () => {
      const flag = '?checkImmediateEnabled=true';
      expect((await openFor('ny', flag)).body.data.isImmediateEnabled).toBe(true);
      expect((await openFor('off', flag)).body.data.isImmediateEnabled).toBe(false);
    });

    it('accepts a timezone without changing the seconds', async () => {
      const start = '2026-11-25T12:00:00-05:00';
      expect(await openForAt('ny', start, '&timezone=Asia/Tokyo')).toEqual({ openFor: 5 * 3600 });
    });
  });

  describe('GET /callbacks/queue-status/{queue-name}', () => {
    it('offers both while open, with ewt -1 when nothing can be estimated', async () => {
      h.t.clock.set('2026-11-25T17:00:00.000Z');
      const { res, body } = await h.engage('GET', '/callbacks/queue-status/ny');
      expect(res.statusCode).toBe(200);
      expect(body.data).toEqual({
        ewt: -1,
        offerImmediateCallback: true,
        offerScheduledCallback: true,
      });
    });

    it('no immediate offer in the blackout, when closed, or when switched off', async () => {
      h.t.clock.set('2026-11-25T21:45:00.000Z'); // 16:45 New York
      expect(await status('ny')).toMatchObject({
        offerImmediateCallback: false,
        offerScheduledCallback: true,
      });
      h.t.clock.set('2026-11-28T17:00:00.000Z'); // Saturday
      expect((await status('ny')).offerImmediateCallback).toBe(false);
      h.t.clock.set(NOW);
      expect(await status('off')).toEqual({
        ewt: -1,
        offerImmediateCallback: false,
        offerScheduledCallback: false,
      });
    });
  });

  describe('wait time from the queue history', () => {
    // Three callbacks connected two minutes apart: one every 120 s.
    const completeConnected = async (service: string, ids: string[], firstAt: number) => {
      const { store } = h.t.services;
      await store.db.transaction(async (trx) => {
        for (const [i, id] of ids.entries()) {
          const done = await store.callbacks.transition(
            h.tenant.id,
            id,
            ['QUEUED'],
            {
              state: 'COMPLETED',
              reason: 'AGENT_CONNECTED',
              completed_at: firstAt + i * 120_000,
            },
            trx,
          );
          expect(done?.service_name).toBe(service);
        }
      });
    };
    let waiting: string[] = [];

    beforeAll(async () => {
      h.t.clock.set(NOW);
      await h.createQueue({ name: 'busy', ...NEW_YORK_OFFICE, maxEwtSeconds: 600 });
      const handled: string[] = [];
      for (let i = 0; i < 3; i++) {
        handled.push(await h.bookOk({ serviceName: 'busy', phoneNumber: nycNumber(i) }));
      }
      await completeConnected('busy', handled, Date.parse(NOW) - 600_000);
      waiting = [];
      for (let i = 10; i < 13; i++) {
        waiting.push(await h.bookOk({ serviceName: 'busy', phoneNumber: nycNumber(i) }));
      }
    });

    it('estimated-wait-time: several queues in order, an unknown one with a message, both modes', async () => {
      for (const mode of ['mode1', 'mode2']) {
        const { res, body } = await h.engage<Ewt>(
          'GET',
          `/estimated-wait-time?virtual-queues=busy,ny,nope&mode=${mode}`,
        );
        expect(res.statusCode).toBe(200);
        // Three waiting, one every 120 s; no agent report yet, so mode2 uses the same throughput.
        expect(body.data).toEqual([
          { virtualQueue: 'busy', estimatedWaitTime: 360, resultCode: 0 },
          {
            virtualQueue: 'ny',
            estimatedWaitTime: -1,
            resultCode: 1,
            message: 'Cannot be estimated yet: no agent logged in or no callback handled recently',
          },
          {
            virtualQueue: 'nope',
            estimatedWaitTime: -1,
            resultCode: 40402,
            message: 'Service not found',
          },
        ]);
      }
      const single = await h.engage<Ewt>('GET', '/estimated-wait-time?virtual-queues=busy');
      expect(single.body.data).toEqual([
        { virtualQueue: 'busy', estimatedWaitTime: 360, resultCode: 0 },
      ]);
    });

    it('queue-status reports the EWT and withholds the immediate offer when now + EWT passes the blackout', async () => {
      h.t.clock.set('2026-11-25T21:23:00.000Z'); // 16:23 + 6 min < 16:30
      expect(await status('busy')).toEqual({
        ewt: 360,
        offerImmediateCallback: true,
        offerScheduledCallback: true,
      });
      h.t.clock.set('2026-11-25T21:25:00.000Z'); // 16:25 + 6 min > 16:30
      expect((await status('busy')).offerImmediateCallback).toBe(false);
    });

    it('queue-status withholds the immediate offer when the EWT is above maxEwtSeconds', async () => {
      await h.admin('PATCH', '/queues/busy', { maxEwtSeconds: 300 });
      expect(await status('busy')).toMatchObject({ ewt: 360, offerImmediateCallback: false });
      await h.admin('PATCH', '/queues/busy', { maxEwtSeconds: 600 });
      expect((await status('busy')).offerImmediateCallback).toBe(true);
    });

    it('retrieve gives position and a growing share of the EWT while waiting, nothing after', async () => {
      const views = [];
      for (const id of waiting) {
        const { body } = await h.engage<{ positionInQueue: number; estimatedWaitTime: number }>(
          'POST',
          '/callbacks/retrieve',
          { id },
        );
        views.push(body.data);
      }
      expect(views.map((v) => v.positionInQueue)).toEqual([1, 2, 3]);
      const waits = views.map((v) => v.estimatedWaitTime);
      for (const w of waits) expect(Number.isInteger(w) && w >= 0 && w <= 360).toBe(true);
      expect(waits[0]).toBeLessThan(waits[1] ?? 0);
      expect(waits[1]).toBeLessThan(waits[2] ?? 0);

      // The first leaves the queue: everyone moves up, and the cancelled one shows no position.
      const first = waiting[0] ?? '';
      await h.engage('POST', '/callbacks/cancel', { id: first });
      const gone = await h.engage('POST', '/callbacks/retrieve', { id: first });
      expect(gone.body.data).not.toHaveProperty('positionInQueue');
      expect(gone.body.data).not.toHaveProperty('estimatedWaitTime');
      const next = await h.engage('POST', '/callbacks/retrieve', { id: waiting[1] });
      expect(next.body.data.positionInQueue).toBe(1);
    });
  });
});
