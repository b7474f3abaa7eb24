/**
 * Fake GWS-style statistics source: OAuth2 client-credentials with HTTP Basic client auth at
 * /auth/v3/oauth/token, and get-statistic-ex answering with a cache-control header. Each answer
 * carries a counter so a test can tell a fresh answer from a cached one.
 */
import { randomBytes } from 'node:crypto';
import {
  bearerToken,
  parseBasicAuth,
  parseForm,
  startHttpFake,
  type FakeReply,
  type RecordedRequest,
} from './http-fake.js';

export const FAKE_STATISTICS_PATH = '/engagement/v3/statistics/operations/get-statistic-ex';

export interface FakeStatisticsOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** expires_in of issued tokens; default 3600. */
  readonly tokenLifetimeSeconds?: number;
  /** Sent as `cache-control: max-age=N`; undefined sends no cache-control. */
  readonly maxAgeSeconds?: number;
}

export interface FakeStatistics {
  readonly url: string;
  readonly tokenRequests: RecordedRequest[];
  readonly statisticRequests: RecordedRequest[];
  setMaxAge(seconds: number | undefined): void;
  revokeAccessTokens(): void;
  close(): Promise<void>;
}

/** Start the fake on 127.0.0.1 with a random port. */
export async function startFakeStatistics(options: FakeStatisticsOptions): Promise<FakeStatistics> {
  const issued = new Set<string>();
  const tokenRequests: RecordedRequest[] = [];
  const statisticRequests: RecordedRequest[] = [];
  let maxAge = options.maxAgeSeconds;
  let answers = 0;

  const server = await startHttpFake((request): FakeReply => {
    if (request.method === 'POST' && request.path === '/auth/v3/oauth/token') {
      tokenRequests.push(request);
      const client = parseBasicAuth(request.headers.authorization);
      if (client?.id !== options.clientId || client.secret !== options.clientSecret) {
        return {
          status: 401,
          json: { error: 'invalid_client', error_description: 'Bad client credentials' },
        };
      }
      if (parseForm(request.body).grant_type !== 'client_credentials') {
        return { status: 400, json: { error: 'unsupported_grant_type' } };
      }
      const token = randomBytes(16).toString('hex');
      issued.add(token);
      return {
        status: 200,
        json: {
          access_token: token,
          token_type: 'bearer',
          expires_in: options.tokenLifetimeSeconds ?? 3600,
        },
      };
    }
    if (request.method === 'POST' && request.path === FAKE_STATISTICS_PATH) {
      statisticRequests.push(request);
      const token = bearerToken(request.headers.authorization);
      if (token === undefined || !issued.has(token)) {
        return { status: 401, json: { status: { code: 40101, message: 'Unauthorized' } } };
      }
      answers += 1;
      return {
        status: 200,
        headers: maxAge === undefined ? {} : { 'cache-control': `max-age=${maxAge}` },
        json: {
          status: { code: 0 },
          data: { answer: answers, request: JSON.parse(request.body) as unknown },
        },
      };
    }
    return { status: 404, text: 'not found' };
  });
  return {
    url: server.url,
    tokenRequests,
    statisticRequests,
    setMaxAge: (seconds) => {
      maxAge = seconds;
    },
    revokeAccessTokens: () => issued.clear(),
    close: () => server.close(),
  };
}
