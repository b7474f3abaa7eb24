import { AppError } from '../domain/errors.js';
import {
  createCaptchaVerifier,
  type CaptchaProvider,
  type CaptchaVerifier,
} from '../integrations/captcha.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import { captchaConfig, type Endpoints } from './credential-kinds.js';
import { CredentialClients } from './credential-clients.js';
import { notRegistered, type CredentialService } from './credentials.js';
import type { Invalidation } from '../infra/invalidation.js';
import { TtlCache } from '../infra/ttl-cache.js';

const REQUIRED_SETTING = 'captchaRequired';
// Every booking asks; the setting changes rarely and a change is announced to every node.
const REQUIRED_CACHE_MS = 5_000;

/** Server-side CAPTCHA checks with the tenant's credential, and the "CAPTCHA required" setting. */
export class CaptchaService {
  private readonly verifiers: CredentialClients<'captcha', CaptchaVerifier>;
  private readonly required = new TtlCache<boolean>(REQUIRED_CACHE_MS);

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly credentials: CredentialService,
    private readonly invalidation: Invalidation,
    endpoints: Endpoints,
  ) {
    this.verifiers = new CredentialClients(credentials, 'captcha', (cred) =>
      createCaptchaVerifier(captchaConfig(cred, endpoints)),
    );
    invalidation.on('tenant-settings', () => this.required.clear());
  }

  /** Whether bookings of the tenant need a solved CAPTCHA. */
  isRequired(tenantId: string): Promise<boolean> {
    return this.required.getOrLoad(tenantId, this.clock.now(), async () => {
      const settings = await this.store.credentials.tenantSettings(tenantId);
      return settings[REQUIRED_SETTING] === true;
    });
  }

  /**
   * Turns "CAPTCHA required" on or off. On needs a registered CAPTCHA credential whose test
   * passes right now: with a credential the provider refuses, every booking would fail 40005.
   */
  async setRequired(actor: Actor, required: boolean): Promise<{ captchaRequired: boolean }> {
    if (required && (await this.credentials.stored(actor.tenantId, 'captcha')) === undefined) {
      throw new AppError(
        'INVALID_PARAMETER',
        'Register a CAPTCHA credential before requiring CAPTCHA, or every booking would fail',
      );
    }
    if (required) {
      const test = await this.credentials.test(actor.tenantId, 'captcha');
      if (!test.ok) {
        throw new AppError(
          'INVALID_PARAMETER',
          `The CAPTCHA credential's test fails (${test.message}): fix the credential before requiring CAPTCHA, or every booking would fail`,
        );
      }
    }
    const before = await this.isRequired(actor.tenantId);
    await this.store.credentials.mergeTenantSettings(actor.tenantId, {
      [REQUIRED_SETTING]: required,
    });
    await this.invalidation.publish('tenant-settings');
    await this.audit.record(
      actor,
      'tenant.settings.captcha',
      actor.tenantId,
      { captchaRequired: before },
      { captchaRequired: required },
    );
    return { captchaRequired: required };
  }

  /** What a booking page needs to show the tenant's CAPTCHA: never the secret. */
  async publicConfig(
    tenantId: string,
  ): Promise<{ required: boolean; provider?: CaptchaProvider; siteKey?: string }> {
    const required = await this.isRequired(tenantId);
    const stored = await this.credentials.stored(tenantId, 'captcha');
    if (stored === undefined) return { required };
    const { provider, siteKey } = stored.settings;
    return { required, provider, ...(siteKey === undefined ? {} : { siteKey }) };
  }

  /** Verifies a browser's token (GES captcha/verify); a token for another site key fails. */
  async verify(
    tenantId: string,
    siteKey: string,
    token: string,
  ): Promise<{ success: boolean; errorCodes: string[] }> {
    const verifier = await this.verifiers.get(tenantId);
    if (verifier === undefined) throw notRegistered('captcha');
    const stored = await this.credentials.stored(tenantId, 'captcha');
    const registeredSiteKey = stored?.settings.siteKey;
    if (registeredSiteKey !== undefined && registeredSiteKey !== siteKey) {
      return { success: false, errorCodes: ['sitekey-mismatch'] };
    }
    const result = await verifier.verify(token);
    return { success: result.success, errorCodes: [...result.errorCodes] };
  }

  /** The booking guard: when the tenant requires CAPTCHA, a missing or bad token fails 40005. */
  async requireValid(tenantId: string, token: string | undefined): Promise<void> {
    if (!(await this.isRequired(tenantId))) return;
    if (token === undefined || token.trim() === '') {
      throw new AppError(
        'CAPTCHA_FAILED',
        'captchaToken is required: this tenant requires CAPTCHA',
      );
    }
    // Fails closed: a required CAPTCHA that cannot be checked must not let bookings through.
    const verifier = await this.verifiers.get(tenantId);
    if (verifier === undefined) {
      throw new AppError(
        'CAPTCHA_FAILED',
        'CAPTCHA is required but no CAPTCHA credential is registered',
      );
    }
    const result = await verifier.verify(token);
    if (!result.success) {
      throw new AppError(
        'CAPTCHA_FAILED',
        `CAPTCHA verification failed (${result.errorCodes.join(', ') || 'no reason given'})`,
      );
    }
  }
}
