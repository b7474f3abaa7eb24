/**
 * Server-side CAPTCHA verification for reCAPTCHA (v2 and v3), hCaptcha and Cloudflare Turnstile.
 * All three speak the same siteverify protocol; they differ in defaults and in how to read a score.
 */
import {
  asRecord,
  describeFailure,
  numberField,
  stringField,
  type OutboundHttp,
} from './http-client.js';

export type CaptchaProvider = 'recaptcha' | 'hcaptcha' | 'turnstile';

export const CAPTCHA_VERIFY_URLS: Readonly<Record<CaptchaProvider, string>> = {
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
};

export const DEFAULT_RECAPTCHA_MIN_SCORE = 0.5;

/** Our own error codes, next to the providers' ones, for failures that are ours to judge. */
export const CAPTCHA_LOCAL_ERRORS = {
  scoreTooLow: 'score-too-low',
  actionMismatch: 'action-mismatch',
  unreachable: 'verify-unreachable',
  badResponse: 'verify-bad-response',
  missingResponse: 'missing-input-response',
} as const;

export interface CaptchaConfig {
  readonly provider: CaptchaProvider;
  readonly secret: string;
  /** Sent to hCaptcha (it checks the token was issued for this site key). */
  readonly siteKey?: string;
  /** reCAPTCHA v3: lowest accepted score (0.0 bot … 1.0 human); default 0.5. */
  readonly minScore?: number;
  /** reCAPTCHA v3 / Turnstile: the action the widget must have reported. */
  readonly expectedAction?: string;
  /** Overrides the provider's siteverify URL. */
  readonly verifyUrl?: string;
  readonly timeoutMs?: number;
  /** The guarded client every call goes through. */
  readonly http: OutboundHttp;
}

export interface CaptchaVerification {
  readonly success: boolean;
  readonly score?: number;
  readonly action?: string;
  readonly errorCodes: readonly string[];
}

export interface CaptchaVerifier {
  /** Verify a token from the browser; never throws, failures come back with error codes. */
  verify(token: string, options?: { remoteIp?: string }): Promise<CaptchaVerification>;
}

/** A verifier for one tenant's CAPTCHA credential. */
export function createCaptchaVerifier(config: CaptchaConfig): CaptchaVerifier {
  const url = config.verifyUrl ?? CAPTCHA_VERIFY_URLS[config.provider];
  return {
    async verify(token, options = {}) {
      if (token.trim() === '') {
        return { success: false, errorCodes: [CAPTCHA_LOCAL_ERRORS.missingResponse] };
      }
      const response = await config.http.postForm(
        url,
        {
          secret: config.secret,
          response: token,
          remoteip: options.remoteIp,
          sitekey: config.provider === 'hcaptcha' ? config.siteKey : undefined,
        },
        { timeoutMs: config.timeoutMs },
      );
      if (response.kind === 'network-error') {
        return { success: false, errorCodes: [CAPTCHA_LOCAL_ERRORS.unreachable] };
      }
      const body = asRecord(response.json);
      if (response.status !== 200 || body === undefined || typeof body.success !== 'boolean') {
        return {
          success: false,
          errorCodes: [`${CAPTCHA_LOCAL_ERRORS.badResponse}: ${describeFailure(response)}`],
        };
      }
      return judge(config, body);
    },
  };
}

/** Apply our score and action rules on top of the provider's verdict. */
function judge(config: CaptchaConfig, body: Record<string, unknown>): CaptchaVerification {
  const errorCodes = Array.isArray(body['error-codes'])
    ? body['error-codes'].filter((code): code is string => typeof code === 'string')
    : [];
  const score = numberField(body, 'score');
  const action = stringField(body, 'action');
  let success = body.success === true;
  // Only reCAPTCHA's score means "higher is more human"; hCaptcha Enterprise's is the reverse,
  // and v2 answers carry no score at all, so the threshold applies to reCAPTCHA scores only.
  if (success && config.provider === 'recaptcha' && score !== undefined) {
    if (score < (config.minScore ?? DEFAULT_RECAPTCHA_MIN_SCORE)) {
      success = false;
      errorCodes.push(CAPTCHA_LOCAL_ERRORS.scoreTooLow);
    }
  }
  if (success && config.expectedAction !== undefined && config.provider !== 'hcaptcha') {
    if (action !== config.expectedAction) {
      success = false;
      errorCodes.push(CAPTCHA_LOCAL_ERRORS.actionMismatch);
    }
  }
  return {
    success,
    errorCodes,
    ...(score === undefined ? {} : { score }),
    ...(action === undefined ? {} : { action }),
  };
}
