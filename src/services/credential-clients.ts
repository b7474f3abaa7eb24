import type { CredentialFeature, OpenCredential } from './credential-kinds.js';
import type { CredentialService } from './credentials.js';

/**
 * Protocol clients built from each tenant's credential of one feature, kept while the credential
 * stays the same so their token caches and connections are reused. Every use compares the stored
 * credential (one row read), so a change made on any node is picked up at once.
 */
export class CredentialClients<F extends CredentialFeature, C> {
  private readonly entries = new Map<string, { key: string; client: C }>();

  constructor(
    private readonly credentials: CredentialService,
    private readonly feature: F,
    private readonly build: (credential: OpenCredential<F>) => C,
    private readonly dispose: (client: C) => Promise<void> = async () => undefined,
  ) {}

  /** The tenant's client, or undefined when no credential is registered. */
  async get(tenantId: string): Promise<C | undefined> {
    const stored = await this.credentials.stored(tenantId, this.feature);
    const cached = this.entries.get(tenantId);
    if (cached !== undefined && cached.key === stored?.key) return cached.client;
    if (cached !== undefined) {
      this.entries.delete(tenantId);
      await this.dispose(cached.client);
    }
    if (stored === undefined) return undefined;
    const client = this.build(stored.open());
    this.entries.set(tenantId, { key: stored.key, client });
    return client;
  }

  /** Closes every cached client (shutdown). */
  async closeAll(): Promise<void> {
    const clients = [...this.entries.values()].map((e) => e.client);
    this.entries.clear();
    await Promise.all(clients.map((c) => this.dispose(c)));
  }
}
