/**
 * Fake siteverify endpoint answering like reCAPTCHA, hCaptcha or Turnstile: form fields
 * `secret` and `response` (plus `sitekey` checked by hCaptcha), single-use tokens, and the
 * providers' error codes (missing-/invalid-input-secret, invalid-input-response,
 * timeout-or-duplicate, sitekey-secret-mismatch).
 */
import { parseForm, startHttpFake, type FakeReply, type RecordedRequest } from './http-fake.js';

export type FakeCaptchaProvider = 'recaptcha' | 'hcaptcha' | 'turnstile';

export interface FakeCaptchaToken {
  /** reCAPTCHA v3 score; omit for v2-style answers. */
  readonly score?: number;
  readonly action?: string;
}

export interface FakeCaptchaOptions {
  readonly provider: FakeCaptchaProvider;
  readonly secret: string;
  /** hCaptcha: the site key the secret belongs to. */
  readonly siteKey?: string;
  /** Tokens the "browser" solved; each verifies once. */
  readonly tokens?: Readonly<Record<string, FakeCaptchaToken>>;
}

export interface FakeCaptcha {
  /** The siteverify URL (pass as verifyUrl). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Register another solved token. */
  addToken(token: string, details?: FakeCaptchaToken): void;
  close(): Promise<void>;
}

/** Start the fake on 127.0.0.1 with a random port. */
export async function startFakeCaptcha(options: FakeCaptchaOptions): Promise<FakeCaptcha> {
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const used = new Set<string>();
  const fail = (...codes: string[]): FakeReply => ({
    status: 200,
    json: { success: false, 'error-codes': codes },
  });

  const server = await startHttpFake((request) => {
    if (request.method !== 'POST' || request.path !== '/siteverify')
      return { status: 404, text: 'not found' };
    const form = parseForm(request.body);
    if (form.secret === undefined || form.secret === '') return fail('missing-input-secret');
    if (form.secret !== options.secret) return fail('invalid-input-secret');
    if (form.response === undefined || form.response === '') return fail('missing-input-response');
    if (
      options.provider === 'hcaptcha' &&
      form.sitekey !== undefined &&
      form.sitekey !== options.siteKey
    ) {
      return fail('sitekey-secret-mismatch');
    }
    if (used.has(form.response)) return fail('timeout-or-duplicate');
    const details = tokens.get(form.response);
    if (details === undefined) return fail('invalid-input-response');
    used.add(form.response);
    return {
      status: 200,
      json: {
        success: true,
        challenge_ts: new Date().toISOString(),
        hostname: 'www.example.com',
        'error-codes': [],
        ...(details.score === undefined ? {} : { score: details.score }),
        ...(details.action === undefined ? {} : { action: details.action }),
      },
    };
  });
  return {
    url: `${server.url}/siteverify`,
    requests: server.requests,
    addToken: (token, details = {}) => tokens.set(token, details),
    close: () => server.close(),
  };
}
