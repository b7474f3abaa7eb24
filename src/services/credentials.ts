import { AppError } from '../domain/errors.js';
import type { CredentialBodyOf, CredentialView } from '../domain/credentials.js';
import type { CredentialTestResult } from '../integrations/credential-tests.js';
import { FINGERPRINT_PREFIX, type Keyring } from '../security/secret-box.js';
import type { CredentialRow } from '../store/repos/credentials.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import type { Clock } from '../infra/clock.js';
import {
  parseCredentialBody,
  testCredential,
  type CredentialFeature,
  type Endpoints,
  type OpenCredential,
  type SettingsOf,
} from './credential-kinds.js';

/** A stored credential before its secret is opened; `key` changes whenever a field or the secret does. */
export interface StoredCredential<F extends CredentialFeature> {
  key: string;
  settings: SettingsOf[F];
  open(): OpenCredential<F>;
}

// The stored settings are those parseCredentialBody returned for the row's feature.
function view(row: CredentialRow): CredentialView {
  return {
    feature: row.feature,
    settings: JSON.parse(row.settings) as unknown,
    fingerprint: row.fingerprint,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  } as CredentialView;
}

// The audit log keeps what changed, never the secret: the fingerprint tells that it changed.
const auditView = (row: CredentialRow) => ({
  settings: JSON.parse(row.settings) as unknown,
  fingerprint: row.fingerprint,
});

/** Integration credentials per tenant and feature: sealed at rest, write-only through the API. */
export class CredentialService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly keyring: Keyring,
    private readonly endpoints: Endpoints,
  ) {}

  /** A tenant's registered credentials. */
  async list(tenantId: string): Promise<CredentialView[]> {
    return (await this.store.credentials.list(tenantId)).map(view);
  }

  /** One credential or 40403. */
  async get(tenantId: string, feature: CredentialFeature): Promise<CredentialView> {
    return view(await this.row(tenantId, feature));
  }

  /** Registers or updates a credential; a stored secret is kept when the body leaves it out. */
  async save(
    actor: Actor,
    feature: CredentialFeature,
    body: CredentialBodyOf[CredentialFeature],
  ): Promise<CredentialView> {
    const tenantId = actor.tenantId;
    const existing = await this.store.credentials.get(tenantId, feature);
    const parsed = parseCredentialBody(feature, body, existing !== undefined);
    this.checkEndpoints(parsed.settings);
    const now = this.clock.now();
    const keyring = this.keyring;
    const context = { tenantId, feature };
    let secret: string;
    let fingerprint: string;
    if (parsed.secret !== undefined) {
      secret = keyring.seal(parsed.secret, context);
      fingerprint = keyring.fingerprint(parsed.secret, tenantId);
    } else if (existing !== undefined) {
      secret = existing.secret;
      fingerprint = existing.fingerprint;
    } else {
      throw new AppError('MISSING_PARAMETER', 'The secret is required');
    }
    const row: CredentialRow = {
      tenant_id: tenantId,
      feature,
      settings: JSON.stringify(parsed.settings),
      secret,
      key_id: secret === existing?.secret ? existing.key_id : keyring.currentKeyId,
      fingerprint,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await this.store.credentials.upsert(row);
    await this.audit.record(
      actor,
      existing === undefined ? 'credential.register' : 'credential.update',
      feature,
      existing === undefined ? undefined : auditView(existing),
      auditView(row),
    );
    return view(row);
  }

  /** Removes a credential or answers 40403. */
  async remove(actor: Actor, feature: CredentialFeature): Promise<void> {
    const existing = await this.row(actor.tenantId, feature);
    await this.store.credentials.remove(actor.tenantId, feature);
    await this.audit.record(actor, 'credential.remove', feature, auditView(existing), undefined);
  }

  /** One real exchange with the provider using the stored credential; never throws for its outcome. */
  async test(
    tenantId: string,
    feature: CredentialFeature,
    deviceToken?: string,
  ): Promise<CredentialTestResult> {
    const stored = await this.stored(tenantId, feature);
    if (stored === undefined) throw notRegistered(feature);
    return testCredential(stored.open(), this.endpoints, deviceToken);
  }

  /**
   * Tries a credential as typed in the form, before it is saved: nothing is stored. A secret left
   * out is taken from the stored credential, so an update can be tried too.
   */
  async testDraft(
    tenantId: string,
    feature: CredentialFeature,
    body: CredentialBodyOf[CredentialFeature],
    deviceToken?: string,
  ): Promise<CredentialTestResult> {
    const stored = await this.stored(tenantId, feature);
    const parsed = parseCredentialBody(feature, body, stored !== undefined);
    const secret = parsed.secret ?? stored?.open().secret;
    if (secret === undefined) throw new AppError('MISSING_PARAMETER', 'The secret is required');
    const draft = { feature, settings: parsed.settings, secret } as OpenCredential<typeof feature>;
    return testCredential(draft, this.endpoints, deviceToken);
  }

  /** The stored credential of a feature, opened only on demand (clients are cached by `key`). */
  async stored<F extends CredentialFeature>(
    tenantId: string,
    feature: F,
  ): Promise<StoredCredential<F> | undefined> {
    const row = await this.store.credentials.get(tenantId, feature);
    if (row === undefined) return undefined;
    const settings = JSON.parse(row.settings) as SettingsOf[F];
    return {
      key: `${row.fingerprint}\u0000${row.settings}`,
      settings,
      open: () => ({
        feature,
        settings,
        secret: this.keyring.open(row.secret, { tenantId, feature }),
      }),
    };
  }

  /**
   * Re-wraps every secret still wrapped with a previous master key, and gives it (and any
   * unkeyed fingerprint of earlier versions) the fingerprint of the current key; returns how many.
   */
  async rewrapAll(): Promise<number> {
    const keyring = this.keyring;
    let rewrapped = 0;
    const rows = await this.store.credentials.needingUpkeep(
      keyring.currentKeyId,
      FINGERPRINT_PREFIX,
    );
    for (const row of rows) {
      const secret = keyring.rewrap(row.secret);
      const plaintext = keyring.open(row.secret, { tenantId: row.tenant_id, feature: row.feature });
      const fingerprint = keyring.fingerprint(plaintext, row.tenant_id);
      if (await this.store.credentials.rewrapped(row, secret, keyring.currentKeyId, fingerprint)) {
        rewrapped++;
      }
    }
    return rewrapped;
  }

  // Saving an endpoint the guard would refuse anyway gets a clear answer now, not a failing test.
  private checkEndpoints(settings: SettingsOf[CredentialFeature]): void {
    if (!('baseUrl' in settings)) return;
    const refusal = this.endpoints.http.urlRefusal(settings.baseUrl);
    if (refusal !== undefined) throw outboundRefusal('baseUrl', settings.baseUrl, refusal);
  }

  private async row(tenantId: string, feature: CredentialFeature): Promise<CredentialRow> {
    const row = await this.store.credentials.get(tenantId, feature);
    if (row === undefined) throw notRegistered(feature);
    return row;
  }
}

/** 40001 for a URL the outbound guard refuses, saying how the operator can allow it. */
export function outboundRefusal(field: string, url: string, refusal: string): AppError {
  return new AppError(
    'INVALID_PARAMETER',
    `${field} "${url}" ${refusal}: outbound calls never reach loopback, private, link-local ` +
      'or metadata addresses unless the operator lists them in OUTBOUND_ALLOW',
  );
}

/** 40403 naming the missing credential. */
export function notRegistered(feature: CredentialFeature): AppError {
  return new AppError('NOT_FOUND', `No ${feature} credential is registered for this tenant`);
}
