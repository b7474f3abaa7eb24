/**
 * Fake APNs provider API over cleartext HTTP/2 (h2c). Like Apple it verifies the ES256 provider
 * token (kid, iss, iat age, signature with the key's public half) and apns-topic, and answers
 * errors as `{reason}` JSON bodies.
 */
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { verifyJwt } from './jwt-verify.js';

export interface FakeApnsOptions {
  readonly teamId: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly bundleId: string;
  /** When set, any other well-formed token is a BadDeviceToken; otherwise all hex tokens exist. */
  readonly knownDevices?: readonly string[];
  /** Tokens of uninstalled apps (410 Unregistered). */
  readonly unregisteredDevices?: readonly string[];
}

export interface ApnsDelivery {
  readonly deviceToken: string;
  readonly headers: http2.IncomingHttpHeaders;
  readonly payload: unknown;
  readonly providerToken: string;
}

export interface FakeApns {
  /** `http://127.0.0.1:<port>`; pass as the client's host. */
  readonly url: string;
  readonly deliveries: ApnsDelivery[];
  /** Every provider token presented, in order (to observe caching). */
  readonly providerTokens: string[];
  /** Answer the next requests with these statuses and reasons, in order. */
  failNext(...errors: { status: number; reason: string; retryAfter?: string }[]): void;
  /** Hold every answer this long (to exercise client timeouts). */
  setDelayMs(ms: number): void;
  /** Cut every client connection (as APNs does now and then) while staying up. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Start the fake HTTP/2 server on 127.0.0.1 with a random port. */
export async function startFakeApns(options: FakeApnsOptions): Promise<FakeApns> {
  const deliveries: ApnsDelivery[] = [];
  const providerTokens: string[] = [];
  const scripted: { status: number; reason: string; retryAfter?: string }[] = [];
  const known = options.knownDevices === undefined ? undefined : new Set(options.knownDevices);
  const unregistered = new Set(options.unregisteredDevices ?? []);
  let delayMs = 0;
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  server.on('stream', (stream, headers) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      const reply = (status: number, reason?: string, extra: Record<string, string> = {}): void => {
        const send = (): void => {
          // The client may have cancelled the stream while we were holding the answer.
          if (stream.destroyed || stream.closed) return;
          stream.respond({ ':status': status, 'apns-id': randomUUID(), ...extra });
          stream.end(
            reason === undefined
              ? ''
              : JSON.stringify({ reason, ...(status === 410 ? { timestamp: Date.now() } : {}) }),
          );
        };
        if (delayMs > 0) setTimeout(send, delayMs);
        else send();
      };
      const path = String(headers[':path'] ?? '');
      const match = /^\/3\/device\/([^/?]+)$/.exec(path);
      if (headers[':method'] !== 'POST') return reply(405, 'MethodNotAllowed');
      if (match?.[1] === undefined) return reply(404, 'BadPath');
      const deviceToken = match[1];

      const auth = /^bearer\s+(\S+)$/i.exec(String(headers.authorization ?? ''))?.[1];
      if (auth === undefined) return reply(403, 'MissingProviderToken');
      providerTokens.push(auth);
      try {
        const { header, claims } = verifyJwt(auth, options.publicKey, 'ES256');
        if (header.kid !== options.keyId || claims.iss !== options.teamId) {
          return reply(403, 'InvalidProviderToken');
        }
        const iat = claims.iat;
        if (typeof iat !== 'number') return reply(403, 'InvalidProviderToken');
        if (Date.now() / 1000 - iat > 3600) return reply(403, 'ExpiredProviderToken');
      } catch {
        return reply(403, 'InvalidProviderToken');
      }
      const topic = headers['apns-topic'];
      if (topic === undefined) return reply(400, 'MissingTopic');
      if (topic !== options.bundleId) return reply(400, 'TopicDisallowed');
      if (headers['apns-push-type'] === undefined) return reply(400, 'InvalidPushType');

      const next = scripted.shift();
      if (next !== undefined) {
        return reply(
          next.status,
          next.reason,
          next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter },
        );
      }
      if (!/^[0-9a-f]{64}$/i.test(deviceToken)) return reply(400, 'BadDeviceToken');
      if (unregistered.has(deviceToken)) return reply(410, 'Unregistered');
      if (known !== undefined && !known.has(deviceToken)) return reply(400, 'BadDeviceToken');
      let payload: unknown;
      try {
        payload = JSON.parse(body) as unknown;
      } catch {
        return reply(400, 'PayloadEmpty');
      }
      deliveries.push({ deviceToken, headers, payload, providerToken: auth });
      return reply(200);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    setDelayMs: (ms) => {
      delayMs = ms;
    },
    url: `http://127.0.0.1:${port}`,
    deliveries,
    providerTokens,
    failNext: (...errors) => scripted.push(...errors),
    dropConnections: async () => {
      const closed = [...sessions].map(
        (session) => new Promise<void>((resolve) => session.close(() => resolve())),
      );
      for (const session of sessions) session.goaway();
      await Promise.all(closed);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        // http2 server.close waits for open sessions; clients keep theirs alive, so end them.
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
