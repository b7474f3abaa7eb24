import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it, describe } from 'vitest';
import { EngagementClient, OpenCallbackError } from '@opencallback/client/engagement';

/** What the fake answers next, one per request (status 0: hang up); once they run out, a success. */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const ok = (data: unknown) =>
  JSON.stringify({ status: { code: 0, message: 'Successful', corrId: 'c-ok' }, data });
const refusal = (code: number, corrId: string) =>
  JSON.stringify({ status: { code, message: 'Too many requests', corrId } });

// A small local stand-in for a throttled or overloaded service (or the gateway in front of it).
describe('typed client: retries and cancellation', () => {
  let server: http.Server;
  let baseUrl = '';
  let script: Answer[] = [];
  let requests: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const answer = script.shift() ?? {
        status: 200,
        body: ok({ ewt: 5, offerImmediateCallback: true, offerScheduledCallback: true }),
      };
      if (answer.status === 0) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    script = [];
    requests = [];
  });

  const client = () =>
    new EngagementClient({
      baseUrl,
      apiKey: 'k',
      retry: { retries: 4, baseDelayMs: 10, maxDelayMs: 50 },
    });

  it('retries a read after 429 with Retry-After, 503, 502 and a dropped connection', async () => {
    script = [
      { status: 429, headers: { 'retry-after': '0' }, body: refusal(42901, 'c-429') },
      { status: 503, body: '<html>Service Unavailable</html>' },
      { status: 502 },
      { status: 0 },
    ];
    const status = await client().queueStatus('support');
    expect(status.ewt).toBe(5);
    expect(requests).toHaveLength(5);
  });

  it('gives up after the retries with the last error', async () => {
    script = Array.from({ length: 5 }, () => ({ status: 503, body: refusal(50301, 'c-503') }));
    const error = await client()
      .retrieve('cb-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenCallbackError);
    expect(error).toMatchObject({ status: 503, code: 50301, corrId: 'c-503' });
    expect(requests).toHaveLength(5);
  });

  it('never retries a booking', async () => {
    script = [{ status: 503, body: refusal(50301, 'c-create') }];
    const error = await client()
      .book({ serviceName: 'support', phoneNumber: '+12125550100' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, corrId: 'c-create' });
    expect(requests).toEqual(['POST /engagement/v3/callbacks/create']);
  });

  it('an abort during the wait for Retry-After ends the call at once', async () => {
    script = [{ status: 429, headers: { 'retry-after': '20' }, body: refusal(42901, 'c-wait') }];
    const abort = new AbortController();
    const started = Date.now();
    const call = client().queueStatus('support', { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(call).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(requests).toHaveLength(1);
  });

  it('a Retry-After longer than the client waits surfaces the 429 with its delay', async () => {
    script = [{ status: 429, headers: { 'retry-after': '3600' }, body: refusal(42901, 'c-long') }];
    const error = await client()
      .queueStatus('support')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 42901, retryAfterMs: 3_600_000 });
    expect(requests).toHaveLength(1);
  });
});
