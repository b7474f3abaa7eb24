/**
 * Fake Google OAuth token endpoint + FCM HTTP v1 send endpoint. It checks what Google checks:
 * the JWT assertion's RS256 signature against the service account's public key, its claims
 * (iss, aud, scope, iat/exp) and grant_type; then the Bearer token and project on send.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import {
  bearerToken,
  parseForm,
  startHttpFake,
  type FakeReply,
  type RecordedRequest,
} from './http-fake.js';
import { verifyJwt } from './jwt-verify.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface FakeFcmOptions {
  readonly projectId: string;
  readonly clientEmail: string;
  /** Public half of the service account key; assertions must verify against it. */
  readonly publicKey: KeyObject;
  /** expires_in of issued tokens; default 3600. */
  readonly tokenLifetimeSeconds?: number;
  /** Device tokens FCM reports as UNREGISTERED (app uninstalled). */
  readonly unregisteredTokens?: readonly string[];
}

export interface FcmSend {
  readonly deviceToken: string;
  readonly notification: { title?: string; body?: string };
  readonly data: Record<string, string> | undefined;
  readonly validateOnly: boolean;
  readonly accessToken: string;
}

export interface ScriptedFcmError {
  readonly status: number;
  readonly errorStatus: string;
  readonly errorCode?: string;
  readonly retryAfter?: string;
}

export interface FakeFcm {
  /** FCM base URL (pass as baseUrl). */
  readonly url: string;
  /** Token endpoint (pass as tokenUri and use as the service account's token_uri). */
  readonly tokenUri: string;
  /** Every accepted or refused token request, with the refusal reason if any. */
  readonly tokenRequests: { readonly request: RecordedRequest; readonly refused?: string }[];
  readonly sends: FcmSend[];
  /** Answer the next sends with these errors, in order. */
  failNextSends(...errors: ScriptedFcmError[]): void;
  /** Make every issued access token invalid (as if Google revoked them). */
  revokeAccessTokens(): void;
  close(): Promise<void>;
}

/** Start the fake on 127.0.0.1 with a random port. */
export async function startFakeFcm(options: FakeFcmOptions): Promise<FakeFcm> {
  const issued = new Set<string>();
  const tokenRequests: { request: RecordedRequest; refused?: string }[] = [];
  const sends: FcmSend[] = [];
  const scripted: ScriptedFcmError[] = [];
  const unregistered = new Set(options.unregisteredTokens ?? []);
  let tokenUri = '';
  let messageCounter = 0;

  const handleToken = (request: RecordedRequest): FakeReply => {
    const refuse = (description: string): FakeReply => {
      tokenRequests.push({ request, refused: description });
      return { status: 400, json: { error: 'invalid_grant', error_description: description } };
    };
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return refuse('expected a form-encoded body');
    }
    const form = parseForm(request.body);
    if (form.grant_type !== GRANT) {
      tokenRequests.push({ request, refused: 'grant_type' });
      return {
        status: 400,
        json: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' },
      };
    }
    let claims: Record<string, unknown>;
    try {
      claims = verifyJwt(form.assertion ?? '', options.publicKey, 'RS256').claims;
    } catch {
      return refuse('Invalid JWT Signature.');
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = claims.iat;
    const exp = claims.exp;
    if (claims.iss !== options.clientEmail) return refuse('Invalid issuer (iss)');
    if (claims.aud !== tokenUri) return refuse('Invalid JWT audience (aud)');
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(SCOPE)) {
      return refuse('Invalid OAuth scope');
    }
    if (typeof iat !== 'number' || typeof exp !== 'number') return refuse('iat and exp required');
    if (exp - iat > 3600 || exp <= now || iat > now + 60) {
      return refuse(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
    }
    const accessToken = `ya29.fake-${randomBytes(12).toString('hex')}`;
    issued.add(accessToken);
    tokenRequests.push({ request });
    return {
      status: 200,
      json: {
        access_token: accessToken,
        expires_in: options.tokenLifetimeSeconds ?? 3600,
        token_type: 'Bearer',
      },
    };
  };

  const handleSend = (request: RecordedRequest): FakeReply => {
    const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(request.path);
    const accessToken = bearerToken(request.headers.authorization);
    if (accessToken === undefined || !issued.has(accessToken)) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    if (match?.[1] !== options.projectId) {
      return googleError(403, 'PERMISSION_DENIED', 'Permission denied on this project');
    }
    const body = JSON.parse(request.body) as {
      validate_only?: boolean;
      message?: {
        token?: string;
        notification?: { title?: string; body?: string };
        data?: Record<string, string>;
      };
    };
    const deviceToken = body.message?.token;
    if (deviceToken === undefined || deviceToken === '') {
      return googleError(400, 'INVALID_ARGUMENT', 'message.token is required', 'INVALID_ARGUMENT');
    }
    const next = scripted.shift();
    if (next !== undefined) {
      return googleError(
        next.status,
        next.errorStatus,
        `scripted ${next.errorStatus}`,
        next.errorCode,
        next.retryAfter,
      );
    }
    if (unregistered.has(deviceToken)) {
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    }
    sends.push({
      deviceToken,
      notification: body.message?.notification ?? {},
      data: body.message?.data,
      validateOnly: body.validate_only === true,
      accessToken,
    });
    messageCounter += 1;
    return {
      status: 200,
      json: { name: `projects/${options.projectId}/messages/${messageCounter}` },
    };
  };

  const server = await startHttpFake((request) =>
    request.method === 'POST' && request.path === '/token'
      ? handleToken(request)
      : handleSend(request),
  );
  tokenUri = `${server.url}/token`;
  return {
    url: server.url,
    tokenUri,
    tokenRequests,
    sends,
    failNextSends: (...errors) => scripted.push(...errors),
    revokeAccessTokens: () => issued.clear(),
    close: () => server.close(),
  };
}

function googleError(
  status: number,
  errorStatus: string,
  message: string,
  errorCode?: string,
  retryAfter?: string,
): FakeReply {
  return {
    status,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    json: {
      error: {
        code: status,
        message,
        status: errorStatus,
        details:
          errorCode === undefined
            ? []
            : [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
      },
    },
  };
}
