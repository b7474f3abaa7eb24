/**
 * One cached bearer token with single-flight refresh, shared by the FCM, APNs and statistics
 * clients. Concurrent senders that find the token stale wait for one refresh instead of each
 * hitting the token endpoint.
 */

export type TokenFetch<E> =
  | { readonly ok: true; readonly token: string; readonly expiresAtMs: number }
  | { readonly ok: false; readonly error: E };

/** A bearer token cached until shortly before it expires. */
export class CachedToken<E> {
  private current: { token: string; expiresAtMs: number } | undefined;
  private inFlight: Promise<TokenFetch<E>> | undefined;

  /**
   * @param fetchToken mints or exchanges a new token
   * @param now injectable clock (ms)
   * @param refreshMarginMs refresh this long before the token's real expiry, so a token never
   *   expires between our check and the provider's
   */
  constructor(
    private readonly fetchToken: () => Promise<TokenFetch<E>>,
    private readonly now: () => number,
    private readonly refreshMarginMs: number,
  ) {}

  /** The cached token while fresh, else a new one; failures are not cached. */
  async get(): Promise<TokenFetch<E>> {
    const cached = this.current;
    if (cached !== undefined && this.now() < cached.expiresAtMs - this.refreshMarginMs) {
      return { ok: true, token: cached.token, expiresAtMs: cached.expiresAtMs };
    }
    this.inFlight ??= this.refresh();
    return this.inFlight;
  }

  /** Forget the token, e.g. after the provider answered 401 to it. */
  invalidate(token?: string): void {
    // Only drop the token the caller saw rejected; a concurrent refresh may already have replaced it.
    if (token === undefined || this.current?.token === token) this.current = undefined;
  }

  private async refresh(): Promise<TokenFetch<E>> {
    try {
      const result = await this.fetchToken();
      if (result.ok) this.current = { token: result.token, expiresAtMs: result.expiresAtMs };
      return result;
    } finally {
      this.inFlight = undefined;
    }
  }
}
