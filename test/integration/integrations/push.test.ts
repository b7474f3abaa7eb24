import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { APNS_DEVICE, BUNDLE_ID, credentialBodies, startFakes, type Fakes } from './fakes.js';

describeEngines('push notifications', (engine) => {
  let fakes: Fakes;
  let t: TestApp & { dropDatabase(): Promise<void> };
  let a: TestTenant;

  beforeAll(async () => {
    fakes = await startFakes();
    t = await startTestApp(engine, { env: { ...fakes.env, PUSH_MAX_ATTEMPTS: '3' } });
    a = await t.tenant('acme');
    const headers = { cookie: a.cookies.Administrator };
    await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers,
      payload: { name: 'support' },
    });
    const bodies = credentialBodies(fakes);
    for (const feature of ['push-fcm', 'push-apns'] as const) {
      const saved = await t.call({
        method: 'PUT',
        url: `/admin/v1/credentials/${feature}`,
        headers,
        payload: bodies[feature],
      });
      expect(saved.res.statusCode, saved.res.body).toBe(200);
    }
  });
  afterAll(async () => {
    await t.services.push.close();
    await t.close();
    await t.dropDatabase();
    await fakes.close();
  });

  const book = async (phoneNumber: string, pushTargets: { channel: string; target: string }[]) => {
    const created = await t.call<{ id: string }>({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { serviceName: 'support', phoneNumber, pushTargets },
    });
    expect(created.res.statusCode, created.res.body).toBe(200);
    return t.services.booking.get('acme', created.body.data.id);
  };

  it('sends CALLBACK_UPCOMING to the FCM and APNs targets of a booked callback', async () => {
    const callback = await book('+12025550111', [
      { channel: 'fcm', target: 'android-device-1' },
      { channel: 'apns', target: APNS_DEVICE },
    ]);
    const summary = await t.services.push.notifyCallbackEvent(
      'acme',
      'CALLBACK_UPCOMING',
      callback,
    );
    expect(summary).toEqual({ sent: 2, failed: 0, retrying: 0 });
    expect(fakes.fcm.sends.at(-1)).toMatchObject({
      deviceToken: 'android-device-1',
      notification: { title: 'Your callback' },
      data: { type: 'CALLBACK_UPCOMING', callbackId: callback.id, state: 'QUEUED' },
    });
    expect(fakes.fcm.sends.at(-1)?.notification.body).toMatch(/in a few minutes/);
    const apns = fakes.apns.deliveries.at(-1);
    expect(apns?.deviceToken).toBe(APNS_DEVICE);
    expect(apns?.headers['apns-topic']).toBe(BUNDLE_ID);
    expect(apns?.payload).toMatchObject({
      callbackId: callback.id,
      aps: { alert: { title: 'Your callback' } },
    });
    const log = await t.services.push.deliveries('acme', callback.id);
    expect(log.map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('a state change is sent too, and the FCM token is reused across sends', async () => {
    const callback = await book('+12025550112', [{ channel: 'fcm', target: 'android-device-2' }]);
    const cancelled = await t.services.booking.cancel('acme', callback.id);
    const tokensBefore = fakes.fcm.tokenRequests.length;
    await t.services.push.notifyCallbackEvent('acme', 'callback.cancelled', cancelled);
    expect(fakes.fcm.sends.at(-1)).toMatchObject({
      deviceToken: 'android-device-2',
      notification: { body: 'Your callback has been cancelled.' },
      data: { state: 'COMPLETED', reason: 'CANCELLED' },
    });
    expect(fakes.fcm.tokenRequests.length).toBe(tokensBefore);
  });

  it('failures are recorded, never thrown, and retryable ones are retried by the job', async () => {
    const callback = await book('+12025550113', [
      { channel: 'fcm', target: 'uninstalled-device' },
      { channel: 'fcm', target: 'android-device-3' },
      { channel: 'sms', target: '+12025550113' },
    ]);
    fakes.fcm.failNextSends({ status: 503, errorStatus: 'UNAVAILABLE', retryAfter: '120' });
    const summary = await t.services.push.notifyCallbackEvent(
      'acme',
      'CALLBACK_UPCOMING',
      callback,
    );
    // The scripted outage hits the first send (to the uninstalled device) and makes it retryable.
    expect(summary).toEqual({ sent: 1, failed: 1, retrying: 1 });
    let log = await t.services.push.deliveries('acme', callback.id);
    expect(log.map((d) => [d.target, d.status])).toEqual([
      ['uninstalled-device', 'retry'],
      ['android-device-3', 'sent'],
      ['+12025550113', 'failed'],
    ]);
    expect(log[0]?.reason).toMatch(/UNAVAILABLE/);
    expect(log[0]?.next_attempt_at).toBe(t.clock.now() + 120_000);
    expect(log[2]?.reason).toMatch(/not supported/);

    // Not due yet: nothing is tried.
    expect(await t.services.push.retryPushDeliveries(t.clock.now() + 60_000)).toBe(0);
    t.clock.advance(121_000);
    expect(await t.services.push.retryPushDeliveries(t.clock.now())).toBe(1);
    log = await t.services.push.deliveries('acme', callback.id);
    // The device is now known to be gone: a final failure, not retried again.
    expect(log[0]).toMatchObject({ status: 'failed', attempts: 2, next_attempt_at: null });
    expect(log[0]?.reason).toMatch(/UNREGISTERED/);
    expect(await t.services.push.retryPushDeliveries(t.clock.now() + 3_600_000)).toBe(0);
  });

  it('notification/publish sends one and answers clear errors', async () => {
    const publish = (payload: object) =>
      t.call({
        method: 'POST',
        url: '/engagement/v3/notification/publish',
        headers: { 'x-api-key': a.keys.engagement },
        payload,
      });
    const sent = await publish({
      channel: 'fcm',
      deviceToken: 'android-device-4',
      title: 'Hello',
      body: 'Testing push',
      data: { k: 'v' },
    });
    expect(sent.res.statusCode, sent.res.body).toBe(200);
    expect((sent.body.data as { messageId: string }).messageId).toMatch(/\/messages\/\d+$/);
    expect(fakes.fcm.sends.at(-1)).toMatchObject({
      deviceToken: 'android-device-4',
      data: { k: 'v' },
    });

    const gone = await publish({
      channel: 'fcm',
      deviceToken: 'uninstalled-device',
      title: 'x',
      body: 'y',
    });
    expect(gone.body.status.code).toBe(40001);
    expect(gone.body.status.message).toMatch(/device token was refused/);

    await t.call({
      method: 'DELETE',
      url: '/admin/v1/credentials/push-apns',
      headers: { cookie: a.cookies.Administrator },
    });
    const none = await publish({
      channel: 'apns',
      deviceToken: APNS_DEVICE,
      title: 'x',
      body: 'y',
    });
    expect(none.body.status.code).toBe(40403);
    expect(none.body.status.message).toMatch(/No push-apns credential/);
  });

  it('a booking with push targets never fails because push fails', async () => {
    const callback = await book('+12025550114', [{ channel: 'apns', target: APNS_DEVICE }]);
    // The APNs credential was removed above: the notification fails and is logged, nothing more.
    const summary = await t.services.push.notifyCallbackEvent(
      'acme',
      'CALLBACK_UPCOMING',
      callback,
    );
    expect(summary).toEqual({ sent: 0, failed: 1, retrying: 0 });
    const log = await t.services.push.deliveries('acme', callback.id);
    expect(log[0]?.status).toBe('failed');
    expect(log[0]?.reason).toMatch(/no-credential/);
  });
});
