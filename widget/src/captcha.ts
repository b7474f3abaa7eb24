// Loads the tenant's CAPTCHA provider. reCAPTCHA, hCaptcha and Turnstile share the same
// explicit-render API (render / reset, an `onload` callback named in the script URL).

export type Provider = 'recaptcha' | 'hcaptcha' | 'turnstile';

export interface CaptchaApi {
  render(el: HTMLElement, options: Record<string, unknown>): string | number;
  reset(id?: string | number): void;
}

const SCRIPTS: Record<Provider, string> = {
  recaptcha: 'https://www.google.com/recaptcha/api.js',
  hcaptcha: 'https://js.hcaptcha.com/1/api.js',
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
};
const GLOBALS: Record<Provider, string> = {
  recaptcha: 'grecaptcha',
  hcaptcha: 'hcaptcha',
  turnstile: 'turnstile',
};

const loading = new Map<string, Promise<CaptchaApi>>();

function isApi(v: unknown): v is CaptchaApi {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { render?: unknown }).render === 'function' &&
    typeof (v as { reset?: unknown }).reset === 'function'
  );
}

/** The provider's API, loading its script once per page (`scriptUrl` overrides where from). */
export function loadCaptcha(provider: Provider, scriptUrl?: string | null): Promise<CaptchaApi> {
  const src = scriptUrl || SCRIPTS[provider];
  const existing = loading.get(src);
  if (existing) return existing;
  const promise = new Promise<CaptchaApi>((resolve, reject) => {
    const win = window as unknown as Record<string, unknown>;
    const ready = () => {
      const api = win[GLOBALS[provider]];
      if (isApi(api)) resolve(api);
      else reject(new Error(`${provider} did not load`));
    };
    if (isApi(win[GLOBALS[provider]])) return ready();
    const callback = `__opencallbackCaptcha${loading.size}`;
    win[callback] = ready;
    const script = document.createElement('script');
    script.src = `${src}${src.includes('?') ? '&' : '?'}onload=${callback}&render=explicit`;
    script.async = true;
    script.onerror = () => reject(new Error(`${provider} script failed`));
    document.head.appendChild(script);
  });
  loading.set(src, promise);
  return promise;
}

/** Render options in each provider's spelling. */
export function renderOptions(
  provider: Provider,
  siteKey: string,
  lang: string,
  onToken: (token: string | undefined) => void,
): Record<string, unknown> {
  return {
    sitekey: siteKey,
    callback: (token: string) => onToken(token),
    'expired-callback': () => onToken(undefined),
    'error-callback': () => onToken(undefined),
    ...(provider === 'turnstile' ? { language: lang } : { hl: lang }),
  };
}
