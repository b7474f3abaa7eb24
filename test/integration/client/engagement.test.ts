import { beforeEach, expect, it } from 'vitest';
import { OpenCallbackError } from '@opencallback/client/engagement';
import { describeEngines } from '../../helpers/engines.js';
import { listeningService } from './listening.js';

describeEngines('typed client: the Engagement API', (engine) => {
  const s = listeningService(engine);
  let serviceName = '';
  beforeEach(async () => {
    s.t.clock.set('2026-11-25T15:00:00Z');
    serviceName = await s.queue();
  });

  it('books, retrieves, reschedules, queries and cancels a callback', async () => {
    const { id } = await s.engagement.book({
      serviceName,
      phoneNumber: '+12125550101',
      desiredTime: '2026-11-26T10:00:00.000Z',
    });
    const booked = await s.engagement.retrieve(id);
    expect(booked).toMatchObject({ id, serviceName, callbackState: 'SCHEDULED' });
    expect(Date.parse(booked.desiredTime)).toBe(Date.parse('2026-11-26T10:00:00Z'));

    const moved = await s.engagement.reschedule({ id, desiredTime: '2026-11-26T11:00:00.000Z' });
    expect(Date.parse(moved.desiredTime)).toBe(Date.parse('2026-11-26T11:00:00Z'));

    const found = await s.engagement.query({ phoneNumber: '+12125550101', serviceName });
    expect(found.callbacks.map((c) => c.id)).toEqual([id]);

    expect(await s.engagement.cancel(id)).toEqual({ id });
    expect((await s.engagement.retrieve(id)).callbackState).toBe('COMPLETED');
  });

  it('reads availability, open-for, queue status and the estimated wait', async () => {
    await s.engagement.book({ serviceName, phoneNumber: '+12125550102' });
    const availability = await s.engagement.availability(serviceName, { numberOfDays: 1 });
    expect(availability.slots.length).toBeGreaterThan(0);
    expect(availability.serviceTimezone).toBe('UTC');

    const open = await s.engagement.openFor(serviceName);
    expect(open.openFor).toBeGreaterThan(0);

    const status = await s.engagement.queueStatus(serviceName);
    expect(status.offerImmediateCallback).toBe(true);
    expect(typeof status.ewt).toBe('number');

    expect(await s.dispatch.agents({ serviceName, loggedIn: 3, available: 1 })).toEqual({
      serviceName,
      loggedIn: 3,
      available: 1,
    });
    const [known, unknown] = await s.engagement.estimatedWaitTime({
      'virtual-queues': `${serviceName},nowhere`,
    });
    expect(known?.virtualQueue).toBe(serviceName);
    expect(typeof known?.estimatedWaitTime).toBe('number');
    expect(unknown).toMatchObject({ virtualQueue: 'nowhere', resultCode: 40402 });
  });

  it('throws an OpenCallbackError with the code, corrId and HTTP status of a refusal', async () => {
    const refusal = await s.engagement
      .book({ serviceName, phoneNumber: 'not a number' })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(OpenCallbackError);
    const error = refusal as OpenCallbackError;
    expect(error.status).toBe(400);
    expect(error.code).toBe(40003);
    expect(error.message).not.toBe('');
    expect(error.corrId).toMatch(/\S/);

    const missing = await s.engagement.retrieve('no-such-callback').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 40401 });
  });

  it('an aborted signal cancels the call', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(s.engagement.queueStatus(serviceName, { signal: abort.signal })).rejects.toThrow(
      /abort/i,
    );
  });
});
