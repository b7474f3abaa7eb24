import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NOTHING_ALLOWED,
  addressRefusal,
  parseAllowList,
  urlRefusal,
} from '../../../src/integrations/address-guard.js';
import { OutboundHttp } from '../../../src/integrations/http-client.js';
import { ApnsClient } from '../../../src/integrations/push/apns.js';
import { startFakeApns } from '../../fakes/fake-apns.js';
import { startFlood, type FloodServer } from '../../fakes/flood.js';
import { makeApnsKey } from '../../fakes/keys.js';
import { startHttpFake, type FakeServer } from '../../fakes/http-fake.js';

describe('outbound address policy', () => {
  it.each([
    'http://127.0.0.1/',
    'http://127.1.2.3:8080/x',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://0/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::10.0.0.1]/',
    'http://[2002:c0a8:101::]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://10.1.2.3/',
    'http://172.20.0.1/',
    'http://192.168.1.1/',
    'http://100.100.100.200/',
    'http://224.0.0.1/',
    'http://localhost:3000/',
    'http://LocalHost./',
    'http://api.localhost/',
    'http://metadata.google.internal/computeMetadata/v1/',
  ])('refuses %s', (url) => {
    expect(urlRefusal(url, NOTHING_ALLOWED)).toMatch(/points to/);
  });

  it.each(['https://hooks.example.com/cb', 'http://8.8.8.8/', 'http://[2001:4860::8888]/'])(
    'lets %s through',
    (url) => {
      expect(urlRefusal(url, NOTHING_ALLOWED)).toBeUndefined();
    },
  );

  it('OUTBOUND_ALLOW opens exactly the listed hosts and ranges', () => {
    const allow = parseAllowList(['127.0.0.1/32', '10.0.0.0/8', 'stats.corp', '*.hooks.corp']);
    expect(urlRefusal('http://127.0.0.1:9000/', allow)).toBeUndefined();
    expect(urlRefusal('http://[::ffff:127.0.0.1]/', allow)).toBeUndefined();
    expect(urlRefusal('http://10.9.8.7/', allow)).toBeUndefined();
    expect(addressRefusal('127.0.0.2', allow)).toBe('a loopback address');
    expect(urlRefusal('http://localhost:9000/', allow)).toBeUndefined();
    expect(urlRefusal('http://localhost:9000/', parseAllowList(['10.0.0.0/8']))).toMatch(
      /loopback name/,
    );
    expect(addressRefusal('192.168.0.1', allow)).toBe('a private address');
    expect(() => parseAllowList(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => parseAllowList(['http://x/'])).toThrow(/neither/);
  });
});

describe('the guarded client', () => {
  let fake: FakeServer | undefined;
  let flood: FloodServer | undefined;
  afterEach(async () => {
    await fake?.close();
    await flood?.close();
    fake = undefined;
    flood = undefined;
  });

  // A name the save-time check cannot judge: it resolves to whatever the test says, as a DNS
  // server under an attacker's control would (public when saved, loopback when called).
  const resolvingTo =
    (...answers: string[]) =>
    (): Promise<readonly LookupAddress[]> =>
      Promise.resolve(
        answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );

  it('refuses a name that resolves to a private address when it connects, sending nothing', async () => {
    fake = await startHttpFake(() => ({ status: 200, json: { ok: true } }));
    const port = new URL(fake.url).port;
    const client = new OutboundHttp({ resolve: resolvingTo('127.0.0.1') });
    expect(client.urlRefusal(`http://rebind.example:${port}/`)).toBeUndefined();
    const result = await client.postJson(`http://rebind.example:${port}/`, { hello: 1 });
    expect(result).toMatchObject({ kind: 'network-error', refused: true });
    expect(result.kind === 'network-error' && result.message).toMatch(
      /rebind\.example resolves to 127\.0\.0\.1, a loopback address/,
    );
    // One private answer among public ones is enough to refuse.
    const mixed = new OutboundHttp({ resolve: resolvingTo('93.184.216.34', '10.0.0.5') });
    expect(await mixed.postJson(`http://rebind.example:${port}/`, {})).toMatchObject({
      refused: true,
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('connects to the address the guard checked (allowed by OUTBOUND_ALLOW)', async () => {
    fake = await startHttpFake(() => ({ status: 200, json: { ok: true } }));
    const port = new URL(fake.url).port;
    const client = new OutboundHttp({
      allow: parseAllowList(['127.0.0.1/32']),
      resolve: resolvingTo('127.0.0.1'),
    });
    const result = await client.postJson(`http://rebind.example:${port}/`, { hello: 1 });
    expect(result).toMatchObject({ kind: 'response', status: 200, json: { ok: true } });
    expect(fake.requests).toHaveLength(1);
    client.close();
  });

  it('refuses IP literals in every notation before connecting', async () => {
    fake = await startHttpFake(() => ({ status: 200, json: {} }));
    const port = new URL(fake.url).port;
    const client = new OutboundHttp();
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const result = await client.postJson(`http://${host}:${port}/`, {});
      expect(result, host).toMatchObject({ kind: 'network-error', refused: true });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('reads at most the size cap of an endless answer and hangs up', async () => {
    flood = await startFlood();
    const client = new OutboundHttp({
      allow: parseAllowList(['127.0.0.1/32']),
      maxResponseBytes: 4096,
    });
    const result = await client.postJson(flood.url, {}, { timeoutMs: 5000 });
    expect(result).toMatchObject({ kind: 'response', status: 200, truncated: true });
    expect(result.kind === 'response' && result.text.length).toBe(4096);
    // The server could only push what the socket buffers held before the client hung up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(flood.sent()).toBeLessThan(8 * 1024 * 1024);
    client.close();
  });

  it('guards the APNs HTTP/2 connection the same way', async () => {
    const key = makeApnsKey();
    const apns = await startFakeApns({
      teamId: key.teamId,
      keyId: key.keyId,
      publicKey: key.publicKey,
      bundleId: 'com.example.app',
    });
    const port = new URL(apns.url).port;
    const credential = {
      teamId: key.teamId,
      keyId: key.keyId,
      privateKey: key.privateKey,
      bundleId: 'com.example.app',
    };
    const message = { title: 't', body: 'b' };
    try {
      for (const host of [apns.url, `http://apns.example:${port}`]) {
        const client = new ApnsClient({
          credential,
          host,
          http: new OutboundHttp({ resolve: resolvingTo('127.0.0.1') }),
        });
        const result = await client.send('ab'.repeat(32), message);
        await client.close();
        expect(result, host).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(!result.ok && result.message, host).toMatch(/refused: .*loopback/);
      }
      expect(apns.providerTokens).toHaveLength(0);
    } finally {
      await apns.close();
    }
  });
});
