import { afterEach, describe, expect, it } from 'vitest';
import { createCaptchaVerifier, type CaptchaConfig } from '../../../src/integrations/captcha.js';
import { testCaptchaCredential } from '../../../src/integrations/credential-tests.js';
import { parseForm } from '../../fakes/http-fake.js';
import {
  startFakeCaptcha,
  type FakeCaptcha,
  type FakeCaptchaOptions,
} from '../../fakes/fake-captcha.js';
import { testHttp } from '../../fakes/outbound.js';

const SECRET = '6LeTestSecretKey';
let fake: FakeCaptcha | undefined;

async function start(options: Omit<FakeCaptchaOptions, 'secret'>): Promise<FakeCaptcha> {
  fake = await startFakeCaptcha({ secret: SECRET, ...options });
  return fake;
}

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('reCAPTCHA verification', () => {
  it('accepts a solved v2 token once and sends secret, response and remote ip', async () => {
    const server = await start({ provider: 'recaptcha', tokens: { 'solved-v2': {} } });
    const verifier = createCaptchaVerifier({
      provider: 'recaptcha',
      secret: SECRET,
      verifyUrl: server.url,
      http: testHttp,
    });
    expect(await verifier.verify('solved-v2', { remoteIp: '203.0.113.7' })).toEqual({
      success: true,
      errorCodes: [],
    });
    expect(parseForm(server.requests[0]?.body ?? '')).toEqual({
      secret: SECRET,
      response: 'solved-v2',
      remoteip: '203.0.113.7',
    });
    // Tokens are single-use, as with the real provider.
    expect(await verifier.verify('solved-v2')).toMatchObject({
      success: false,
      errorCodes: ['timeout-or-duplicate'],
    });
  });

  it('applies the v3 minimum score (default 0.5) and the expected action', async () => {
    const server = await start({
      provider: 'recaptcha',
      tokens: {
        human: { score: 0.9, action: 'book_callback' },
        borderline: { score: 0.5, action: 'book_callback' },
        bot: { score: 0.1, action: 'book_callback' },
        elsewhere: { score: 0.9, action: 'login' },
      },
    });
    const config: CaptchaConfig = {
      provider: 'recaptcha',
      secret: SECRET,
      verifyUrl: server.url,
      http: testHttp,
      expectedAction: 'book_callback',
    };
    const verifier = createCaptchaVerifier(config);
    expect(await verifier.verify('human')).toMatchObject({ success: true, score: 0.9 });
    expect(await verifier.verify('borderline')).toMatchObject({ success: true, score: 0.5 });
    expect(await verifier.verify('bot')).toEqual({
      success: false,
      score: 0.1,
      action: 'book_callback',
      errorCodes: ['score-too-low'],
    });
    expect(await verifier.verify('elsewhere')).toMatchObject({
      success: false,
      errorCodes: ['action-mismatch'],
    });

    server.addToken('strict-case', { score: 0.7 });
    const strict = createCaptchaVerifier({ ...config, expectedAction: undefined, minScore: 0.8 });
    expect(await strict.verify('strict-case')).toMatchObject({
      success: false,
      errorCodes: ['score-too-low'],
    });
  });

  it('reports a wrong secret with the provider error code', async () => {
    const server = await start({ provider: 'recaptcha', tokens: { ok: {} } });
    const verifier = createCaptchaVerifier({
      provider: 'recaptcha',
      secret: 'wrong',
      verifyUrl: server.url,
      http: testHttp,
    });
    expect(await verifier.verify('ok')).toEqual({
      success: false,
      errorCodes: ['invalid-input-secret'],
    });
  });

  it('fails closed when the provider is unreachable or the token is empty', async () => {
    const server = await start({ provider: 'recaptcha' });
    const url = server.url;
    await server.close();
    const verifier = createCaptchaVerifier({
      provider: 'recaptcha',
      secret: SECRET,
      verifyUrl: url,
      http: testHttp,
    });
    expect(await verifier.verify('anything')).toEqual({
      success: false,
      errorCodes: ['verify-unreachable'],
    });
    expect(await verifier.verify('  ')).toEqual({
      success: false,
      errorCodes: ['missing-input-response'],
    });
  });
});

describe('hCaptcha and Turnstile verification', () => {
  it('hCaptcha sends the site key and rejects a key that does not match the secret', async () => {
    const server = await start({
      provider: 'hcaptcha',
      siteKey: 'site-1',
      tokens: { solved: {}, again: {} },
    });
    const good = createCaptchaVerifier({
      provider: 'hcaptcha',
      secret: SECRET,
      siteKey: 'site-1',
      verifyUrl: server.url,
      http: testHttp,
    });
    expect(await good.verify('solved')).toEqual({ success: true, errorCodes: [] });
    expect(parseForm(server.requests[0]?.body ?? '').sitekey).toBe('site-1');
    const mismatched = createCaptchaVerifier({
      provider: 'hcaptcha',
      secret: SECRET,
      siteKey: 'site-2',
      verifyUrl: server.url,
      http: testHttp,
    });
    expect(await mismatched.verify('again')).toMatchObject({
      success: false,
      errorCodes: ['sitekey-secret-mismatch'],
    });
  });

  it('Turnstile verifies a token and checks the expected action', async () => {
    const server = await start({
      provider: 'turnstile',
      tokens: { solved: { action: 'callback' }, other: { action: 'signup' } },
    });
    const verifier = createCaptchaVerifier({
      provider: 'turnstile',
      secret: SECRET,
      verifyUrl: server.url,
      http: testHttp,
      expectedAction: 'callback',
    });
    expect(await verifier.verify('solved')).toMatchObject({ success: true, action: 'callback' });
    expect(await verifier.verify('other')).toMatchObject({
      success: false,
      errorCodes: ['action-mismatch'],
    });
    expect(await verifier.verify('never-issued')).toMatchObject({
      success: false,
      errorCodes: ['invalid-input-response'],
    });
  });
});

describe('CAPTCHA credential test button', () => {
  it.each(['recaptcha', 'hcaptcha', 'turnstile'] as const)(
    '%s: accepted secret, then a wrong one',
    async (provider) => {
      const server = await start({ provider, siteKey: 'site-1' });
      const base = { provider, verifyUrl: server.url, http: testHttp, siteKey: 'site-1' };
      expect(await testCaptchaCredential({ ...base, secret: SECRET })).toEqual({
        ok: true,
        message: `${provider} accepted the secret key`,
      });
      expect(await testCaptchaCredential({ ...base, secret: 'wrong-secret' })).toEqual({
        ok: false,
        message: `${provider} rejected the secret key`,
      });
    },
  );

  it('explains an unreachable provider', async () => {
    const server = await start({ provider: 'turnstile' });
    await server.close();
    const result = await testCaptchaCredential({
      provider: 'turnstile',
      secret: SECRET,
      verifyUrl: server.url,
      http: testHttp,
    });
    expect(result).toEqual({
      ok: false,
      message: 'Could not reach the turnstile verification service',
    });
  });
});
