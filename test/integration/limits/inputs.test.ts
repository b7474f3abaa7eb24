import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';

type App = TestApp & { dropDatabase(): Promise<void> };

/** Sends raw bytes to a listening app; resolves with all it answered once it hangs up. */
function rawExchange(port: number, text: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no hang-up within ${timeoutMs} ms; got: ${answer}`));
    }, timeoutMs);
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(text);
  });
}

/** The envelope in a raw HTTP answer, with its status line and correlation header. */
function parseRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const corrId = /x-correlation-id: (\S+)/i.exec(head)?.[1];
  const envelope = JSON.parse(body) as { status: { code: number; corrId: string } };
  return { status, corrId, envelope };
}

describeEngines('bad input at the edges', (engine) => {
  let t: App;
  let acme: TestTenant;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestApp(engine, {
      logger: { level: 'info', stream: { write: (line) => void lines.push(line) } },
    });
    acme = await t.tenant('acme');
    await t.services.tenantConfig.apply(
      { tenants: [{ id: 'acme', queues: [{ name: 'support', numberRule: { blocked: [] } }] }] },
      'test',
    );
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const engage = (method: 'GET' | 'POST', url: string, payload?: unknown, type?: string) =>
    t.call({
      method,
      url: `/engagement/v3${url}`,
      headers: {
        'x-api-key': acme.keys.engagement,
        ...(type === undefined ? {} : { 'content-type': type }),
      },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });

  const expectEnvelope = (
    answer: Awaited<ReturnType<typeof engage>>,
    http: number,
    code: number,
  ) => {
    expect(answer.res.statusCode, answer.res.body).toBe(http);
    expect(answer.body.status.code).toBe(code);
    expect(answer.body.status.corrId).toBe(answer.res.headers['x-correlation-id']);
  };

  it('Infinity, -Infinity and 1e309 are refused as numbers, in queries and bodies', async () => {
    for (const query of [
      'numberOfDays=Infinity',
      'numberOfDays=-Infinity',
      'startMS=1e309',
      'startMS=-1e309',
      'maxTimeSlots=Infinity',
    ]) {
      expectEnvelope(await engage('GET', `/callbacks/availability/support?${query}`), 400, 40001);
    }
    // Text with a NUL: PostgreSQL cannot store it, so it is refused before any query.
    expectEnvelope(await engage('GET', '/callbacks/availability/support?timezone=%00'), 400, 40001);
    expectEnvelope(await engage('GET', '/callbacks/queue-status/sup%00port'), 400, 40001);
    const admin = await t.call({
      method: 'GET',
      url: '/admin/v1/callbacks?limit=Infinity',
      headers: { cookie: acme.cookies.Administrator },
    });
    expect(admin.res.statusCode, admin.res.body).toBe(400);
    const body = await engage(
      'POST',
      '/callbacks/create',
      '{"serviceName":"support","phoneNumber":"+12025550123","priority":1e309}',
      'application/json',
    );
    expectEnvelope(body, 400, 40001);
    expect(body.body.status.message).toMatch(/body\.priority/);
  });

  it('5 000-deep JSON is refused by the nesting limit and still logged for the tenant', async () => {
    const deep = `{"serviceName":"support","phoneNumber":"+12025550123","userData":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const answer = await engage('POST', '/callbacks/create', deep, 'application/json');
    expectEnvelope(answer, 400, 40006);
    expect(answer.body.status.message).toMatch(/nested deeper than 32/);
    const logged = await t.call<{ items: { corrId: string }[] }>({
      method: 'GET',
      url: `/admin/v1/errors?corrId=${answer.body.status.corrId}`,
      headers: { cookie: acme.cookies.Administrator },
    });
    expect(logged.body.data.items.map((e) => e.corrId)).toEqual([answer.body.status.corrId]);
  });

  it('bad URLs, over-long URLs, bad JSON and unknown media types answer in the envelope', async () => {
    expectEnvelope(await engage('GET', `/callbacks/availability/${'a'.repeat(200)}`), 414, 41401);
    expectEnvelope(await engage('GET', '/callbacks/availability/%E0%A4%A'), 400, 40001);
    expectEnvelope(
      await engage('POST', '/callbacks/create', '{"serviceName":', 'application/json'),
      400,
      40006,
    );
    expectEnvelope(
      await engage('POST', '/callbacks/create', '<a/>', 'application/xml'),
      415,
      41501,
    );
  });

  it('an empty id list with a filter cancels nothing (PostgreSQL answered it with a 500)', async () => {
    const answer = await t.call<{ cancelled: number }>({
      method: 'POST',
      url: '/admin/v1/callbacks/bulk-cancel',
      headers: { cookie: acme.cookies.Administrator },
      payload: { ids: [], serviceName: 'support' },
    });
    // A bulk cancel is a job (202); with no id it has nothing to cancel.
    expect(answer.res.statusCode, answer.res.body).toBe(202);
    await t.services.adminJobs.idle();
  });

  it('a request Node cannot parse gets the envelope with a correlation ID', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(address).port);
    const garbage = parseRaw(await rawExchange(port, 'GARBAGE\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(garbage.envelope.status.code).toBe(40007);
    expect(garbage.envelope.status.corrId).toBe(garbage.corrId);
    const huge = parseRaw(
      await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
    );
    expect(huge.status).toBe(431);
    expect(huge.envelope.status.code).toBe(43101);
  });

  it('a console change from a foreign origin, or as a form or text, is 403 and changes nothing', async () => {
    const purge = (headers: Record<string, string>) =>
      t.call({
        method: 'POST',
        url: '/admin/v1/queues/support/purge',
        headers: { cookie: acme.cookies.Administrator, ...headers },
      });
    const foreign = await purge({ origin: 'https://evil.example' });
    expect(foreign.res.statusCode).toBe(403);
    expect(foreign.body.status.code).toBe(40301);
    const text = await purge({ 'content-type': 'text/plain' });
    expect(text.res.statusCode).toBe(403);
    const form = await purge({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.res.statusCode).toBe(403);
    const crossSite = await purge({ 'sec-fetch-site': 'cross-site' });
    expect(crossSite.res.statusCode).toBe(403);
    const audit = await t.call<{ items: { action: string }[] }>({
      method: 'GET',
      url: '/admin/v1/audit?limit=200',
      headers: { cookie: acme.cookies.Administrator },
    });
    expect(JSON.stringify(audit.body)).not.toMatch(/purge/);
    // The console itself: its own origin (as a browser writes it, without the default port).
    const own = await purge({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
    expect(own.res.statusCode, own.res.body).toBe(202);
    // Behind a TLS proxy the console's https origin names the Host the proxy passes on.
    const proxied = await purge({
      host: 'console.example.com',
      origin: 'https://console.example.com',
    });
    expect(proxied.res.statusCode, proxied.res.body).toBe(202);
    expect((await purge({ origin: 'http://localhost:8081' })).res.statusCode).toBe(403);
    expect((await purge({ origin: 'null' })).res.statusCode).toBe(403);
    // Programs with an admin key are not browsers riding on a cookie.
    const keyed = await t.call({
      method: 'POST',
      url: '/admin/v1/queues/support/purge',
      headers: { 'x-api-key': acme.keys.admin, origin: 'https://elsewhere.example' },
    });
    expect(keyed.res.statusCode).toBe(202);
  });

  it('refusals are logged with their reason and without the phone number', async () => {
    lines.length = 0;
    const refused = await engage('POST', '/callbacks/create', {
      serviceName: 'support',
      phoneNumber: '+1 900 555 0123',
    });
    expect(refused.res.statusCode).toBe(400);
    const entry = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.corrId === refused.body.status.corrId);
    expect(entry).toMatchObject({ msg: 'request refused', code: refused.body.status.code });
    expect(String(entry?.reason)).toMatch(/premium|valid|number/);
    expect(lines.join('\n')).not.toMatch(/900.?555.?0123|9005550123/);
    // One `msg` key per line: the reason is not hidden behind a second one.
    const raw = lines.find((l) => l.includes(refused.body.status.corrId)) ?? '';
    expect(raw.match(/"msg":/g)).toHaveLength(1);
  });
});
