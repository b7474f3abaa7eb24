import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';

type App = TestApp & { dropDatabase(): Promise<void> };

/** Writes `text` and then nothing more; resolves with the answer and how long until hang-up. */
function stall(port: number, text: string): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the stalled connection open for 15 s'));
    }, 15_000);
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, ms: Date.now() - started });
    });
    socket.write(text);
  });
}

describeEngines('request timeouts', (engine) => {
  let t: App;
  let acme: TestTenant;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp(engine, {
      env: {
        REQUEST_TIMEOUT_MS: '1500',
        HEADERS_TIMEOUT_MS: '1000',
      },
    });
    acme = await t.tenant('acme');
    port = Number(new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })).port);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  it('a partial body is cut off with 408 in the envelope once the request timeout passes', async () => {
    const { answer, ms } = await stall(
      port,
      'POST /engagement/v3/callbacks/create HTTP/1.1\r\nHost: localhost\r\n' +
        `x-api-key: ${acme.keys.engagement}\r\ncontent-type: application/json\r\n` +
        'content-length: 200\r\n\r\n{"serviceName":"support",',
    );
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(4000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(answer.split('\r\n\r\n')[1] ?? '') as {
      status: { code: number; corrId: string };
    };
    expect(body.status.code).toBe(40801);
    expect(answer).toContain(`x-correlation-id: ${body.status.corrId}`);
  });

  it('headers that never end are cut off by the headers timeout', async () => {
    const { answer, ms } = await stall(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    expect(ms).toBeLessThan(3500);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
