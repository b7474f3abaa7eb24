import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../helpers/engines.js';
import { startBooking, type BookingHarness, type CallbackView } from './booking/helpers.js';

describeEngines('deleting a queue', (engine) => {
  let h: BookingHarness;

  beforeAll(async () => {
    h = await startBooking(engine);
  });
  afterAll(async () => {
    await h.close();
  });

  const retrieve = async (id: string) =>
    (await h.engage<CallbackView>('POST', '/callbacks/retrieve', { id })).body.data;
  const dispatch = (url: string, payload: Record<string, unknown>) =>
    h.t.call<{ callback?: { id: string } }>({
      method: 'POST',
      url: `/dispatch/v1${url}`,
      headers: { 'x-api-key': h.tenant.keys.dispatch },
      payload,
    });

  it('is refused (409) while callbacks wait, and nothing changes', async () => {
    await h.createQueue({ name: 'busy' });
    const id = await h.bookOk({ serviceName: 'busy', phoneNumber: '+12125550180' });
    const refused = await h.admin('DELETE', '/queues/busy');
    expect(refused.res.statusCode).toBe(409);
    expect(refused.body.status.code).toBe(40904);
    expect(refused.body.status.message).toMatch(/1 QUEUED.*cancelActive=true/);
    expect((await h.admin('GET', '/queues/busy')).res.statusCode).toBe(200);
    expect((await retrieve(id)).callbackState).toBe('QUEUED');
  });

  it('with cancelActive=true cancels the waiting callbacks (CANCELLED_BY_ADMIN), then deletes', async () => {
    const later = new Date(h.t.clock.now() + 3_600_000).toISOString();
    const scheduled = await h.bookOk({
      serviceName: 'busy',
      phoneNumber: '+12125550181',
      desiredTime: later,
    });
    const deleted = await h.admin<{ deleted: boolean; cancelled: number }>(
      'DELETE',
      '/queues/busy?cancelActive=true',
    );
    expect(deleted.res.statusCode, JSON.stringify(deleted.body.status)).toBe(200);
    expect(deleted.body.data).toMatchObject({ deleted: true, cancelled: 2 });
    expect(await retrieve(scheduled)).toMatchObject({
      callbackState: 'COMPLETED',
      callbackReason: 'CANCELLED_BY_ADMIN',
    });
    expect((await h.admin('GET', '/queues/busy')).res.statusCode).toBe(404);
  });

  it('a callback on a call holds its queue even with cancelActive=true', async () => {
    await h.createQueue({ name: 'calling' });
    const id = await h.bookOk({ serviceName: 'calling', phoneNumber: '+12125550182' });
    const claimed = await dispatch('/claim', { serviceNames: ['calling'] });
    expect(claimed.body.data.callback?.id).toBe(id);
    expect((await dispatch(`/callbacks/${id}/start`, {})).res.statusCode).toBe(200);
    const refused = await h.admin('DELETE', '/queues/calling?cancelActive=true');
    expect(refused.res.statusCode).toBe(409);
    expect(refused.body.status.message).toMatch(/1 PROCESSING/);
    expect((await retrieve(id)).callbackState).toBe('PROCESSING');
  });

  it('an empty queue is deleted; a Developer can neither delete a queue nor purge one', async () => {
    await h.createQueue({ name: 'empty' });
    for (const [method, url] of [
      ['DELETE', '/admin/v1/queues/empty'],
      ['POST', '/admin/v1/queues/empty/purge'],
    ] as const) {
      const asDeveloper = await h.t.call({
        method,
        url,
        headers: { cookie: h.tenant.cookies.Developer },
      });
      expect(asDeveloper.res.statusCode, url).toBe(403);
      expect(asDeveloper.body.status.code).toBe(40302);
    }
    const asSupervisor = await h.t.call({
      method: 'DELETE',
      url: '/admin/v1/queues/empty',
      headers: { cookie: h.tenant.cookies.Supervisor },
    });
    expect(asSupervisor.res.statusCode).toBe(200);
  });
});
