import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

const HOURS = {
  weekly: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [
      d,
      [
        ['09:00', '12:00'],
        ['13:00', '17:00'],
      ],
    ]),
  ),
};

describeEngines("the console's queue check", (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    t = await startTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    const made = await t.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: acme.cookies.Administrator },
      payload: {
        name: 'support',
        timezone: 'America/New_York',
        businessHours: HOURS,
        immediateOfferHours: { weekly: { wed: [['09:00', '11:00']] } },
        immediateBlackoutMinutes: 30,
        slotCapacity: 3,
      },
    });
    expect(made.body.status.code, made.body.status.message).toBe(0);
    t.clock.set('2026-11-25T15:00:00Z'); // Wednesday 10:00 in New York
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const asClient = (path: string) =>
    t.call({
      method: 'GET',
      url: `/engagement/v3${path}`,
      headers: { 'x-api-key': acme.keys.engagement },
    });
  const asConsole = (path: string, cookie = acme.cookies.Supervisor) =>
    t.call({ method: 'GET', url: `/admin/v1/queue-check${path}`, headers: { cookie } });

  it.each([
    '/callbacks/queue-status/support',
    '/callbacks/open-for/support',
    '/callbacks/open-for/support?queryImmediateOfferHours=true&returnWithinImmediateOfferTime=true&checkImmediateEnabled=true',
    '/callbacks/open-for/support?start=2026-11-25T17:30:00Z&queryImmediateOfferHours=true',
    '/callbacks/availability/support?numberOfDays=2&timezone=Europe/Paris',
    '/callbacks/availability/support?start=2026-11-26T00:00:00Z&maxTimeSlots=5&reportBusy=true',
  ])('answers %s exactly as the Engagement API does', async (path) => {
    const client = await asClient(path);
    const console = await asConsole(path);
    expect(client.res.statusCode).toBe(200);
    expect(console.res.statusCode).toBe(200);
    expect(console.body.status.code).toBe(0);
    expect(console.body.data).toEqual(client.body.data);
  });

  it('shows the flags the API adds: immediate offer hours, within immediate offer time, enabled', async () => {
    const { body } = await asConsole(
      '/callbacks/open-for/support?queryImmediateOfferHours=true&returnWithinImmediateOfferTime=true&checkImmediateEnabled=true',
    );
    expect(body.data).toMatchObject({
      openFor: 2 * 3600,
      immediateOfferHoursOpenFor: 3600,
      isImmediateEnabled: true,
    });
  });

  it('answers errors as the API does, and only for the tenant and roles that may look', async () => {
    const unknown = await asConsole('/callbacks/queue-status/nope');
    expect(unknown.res.statusCode).toBe(404);
    expect(unknown.body.status.code).toBe(40402);
    const bad = await asConsole('/callbacks/availability/support?start=tomorrow');
    expect(bad.res.statusCode).toBe(400);
    expect(bad.body.status.code).toBe(40001);
    const otherTenant = await asConsole(
      '/callbacks/queue-status/support',
      globex.cookies.Administrator,
    );
    expect(otherTenant.body.status.code).toBe(40402);
    const monitor = await asConsole('/callbacks/queue-status/support', acme.cookies.Monitor);
    expect(monitor.res.statusCode).toBe(403);
    const anonymous = await t.call({
      method: 'GET',
      url: '/admin/v1/queue-check/callbacks/queue-status/support',
    });
    expect(anonymous.res.statusCode).toBe(401);
  });
});
