/**
 * The outbound guard through the real app: tenant-chosen URLs (webhooks, the statistics source)
 * never reach loopback, private, link-local or metadata addresses unless OUTBOUND_ALLOW lists
 * them, and no outbound answer is read past the size cap.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATISTICS_DEFAULT_TOKEN_PATH } from '../../../src/integrations/statistics.js';
import { startFlood, type FloodServer } from '../../fakes/flood.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhook-receiver.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';
import { STATS_CLIENT, credentialBodies, startFakes, type Fakes } from './fakes.js';

type Node = TestApp & { dropDatabase(): Promise<void> };

const INSIDE = [
  'http://127.0.0.1:8080/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/',
  'http://0.0.0.0/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://[::ffff:127.0.0.1]/',
  'http://localhost/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://10.0.0.8/',
];

describeEngines('outbound guard', (engine) => {
  let fakes: Fakes;
  let receiver: WebhookReceiver;
  let flood: FloodServer;
  // `open` is an installation whose operator allowed loopback (where the fakes listen);
  // `closed` shares its database with an empty OUTBOUND_ALLOW, as after the allow entry went.
  let open: Node;
  let closed: Node;
  let a: TestTenant;

  beforeAll(async () => {
    fakes = await startFakes();
    receiver = await startWebhookReceiver();
    flood = await startFlood({ tokenPaths: [STATISTICS_DEFAULT_TOKEN_PATH] });
    open = await startTestApp(engine, { env: fakes.env });
    closed = await startTestApp(engine, {
      env: { ...fakes.env, OUTBOUND_ALLOW: '' },
      shared: open.config.database,
      clock: open.clock,
    });
    a = await open.tenant('acme');
    await open.call({
      method: 'POST',
      url: '/admin/v1/queues',
      headers: { cookie: a.cookies.Administrator },
      payload: { name: 'support' },
    });
  });
  afterAll(async () => {
    await closed.close();
    await open.close();
    await open.dropDatabase();
    await Promise.all([fakes.close(), receiver.close(), flood.close()]);
  });

  const asDeveloper = (node: Node, method: 'PUT' | 'POST', url: string, payload: object) =>
    node.call({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie: a.cookies.Developer },
      payload,
    });

  it('refuses webhook and statistics URLs that point inside, with a clear 40001', async () => {
    for (const url of INSIDE) {
      const hook = await asDeveloper(closed, 'POST', '/webhooks', { url });
      expect(hook.res.statusCode, url).toBe(400);
      expect(hook.body.status.code).toBe(40001);
      expect(hook.body.status.message).toMatch(/points to .*OUTBOUND_ALLOW/);
      const stats = await asDeveloper(closed, 'PUT', '/credentials/statistics', {
        baseUrl: url,
        clientId: STATS_CLIENT.id,
        clientSecret: STATS_CLIENT.secret,
      });
      expect(stats.res.statusCode, url).toBe(400);
      expect(stats.body.status.message).toMatch(/^baseUrl .*points to/);
    }
    const outside = await asDeveloper(closed, 'POST', '/webhooks', {
      url: 'https://hooks.example.com/callbacks',
    });
    expect(outside.body.status.code).toBe(0);
  });

  it('refuses at connect time: nothing reaches the host, open and closed ports look alike', async () => {
    // Saved while loopback was allowed; the guard of the node that delivers decides.
    const reachable = await asDeveloper(open, 'POST', '/webhooks', { url: receiver.url });
    const dead = await asDeveloper(open, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/' });
    const created = await closed.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { serviceName: 'support', phoneNumber: '+12025550170' },
    });
    expect(created.res.statusCode).toBe(200);
    await closed.services.eventDispatcher.dispatch(closed.clock.now());
    await closed.services.webhooks.deliverDue(closed.clock.now());
    expect(receiver.deliveries).toHaveLength(0);
    const errors: string[] = [];
    for (const hook of [reachable, dead]) {
      const id = (hook.body.data as { id: string }).id;
      const log = await closed.call<{ items: { status: string; lastError: string }[] }>({
        method: 'GET',
        url: `/admin/v1/webhooks/${id}/deliveries`,
        headers: { cookie: a.cookies.Developer },
      });
      const first = log.body.data.items[0];
      // Refused for good: no retries that would keep probing.
      expect(first?.status).toBe('failed');
      errors.push((first?.lastError ?? '').replace(/http:\S+/, 'URL'));
    }
    expect(errors[0]).toMatch(/^refused: .*a loopback address/);
    expect(errors[1]).toBe(errors[0]);
  });

  it('never echoes what an internal statistics source answers', async () => {
    const saved = await asDeveloper(
      open,
      'PUT',
      '/credentials/statistics',
      credentialBodies(fakes).statistics,
    );
    expect(saved.body.status.code).toBe(0);
    const tested = await asDeveloper(closed, 'POST', '/credentials/statistics/test', {});
    const verdict = tested.body.data as { ok: boolean; message: string };
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toMatch(/refused/);
    const forwarded = await closed.call({
      method: 'POST',
      url: '/engagement/v3/statistics/operations/get-statistic-ex',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { data: { statistics: [{ name: 'CurrentWaitingCalls', objectId: 'support' }] } },
    });
    expect(forwarded.res.statusCode).toBe(502);
    expect(forwarded.body.status.message).toMatch(/refused/);
    expect(fakes.statistics.tokenRequests).toHaveLength(0);
    expect(fakes.statistics.statisticRequests).toHaveLength(0);
  });

  it('caps every answer: an endless statistics answer is dropped, not relayed', async () => {
    const saved = await asDeveloper(open, 'PUT', '/credentials/statistics', {
      baseUrl: flood.url,
      clientId: STATS_CLIENT.id,
      clientSecret: STATS_CLIENT.secret,
    });
    expect(saved.body.status.code).toBe(0);
    const forwarded = await open.call({
      method: 'POST',
      url: '/engagement/v3/statistics/operations/get-statistic-ex',
      headers: { 'x-api-key': a.keys.engagement },
      payload: { data: { statistics: [{ name: 'CurrentWaitingCalls', objectId: 'support' }] } },
    });
    expect(forwarded.res.statusCode).toBe(502);
    expect(forwarded.body.status.message).toMatch(/answered more than 16384 bytes/);
    expect(forwarded.res.body.length).toBeLessThan(1000);
    // The process hung up after the cap: the source pushed no more than socket buffers hold.
    expect(flood.sent()).toBeLessThan(8 * 1024 * 1024);
  });
});
