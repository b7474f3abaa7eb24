/** Provider-neutral push types, so services send to FCM or APNs through one interface. */

export interface PushMessage {
  readonly title: string;
  readonly body: string;
  /** Custom key/value payload; FCM requires string values, so we use strings for both. */
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * Why a push failed, in the terms a caller acts on:
 * - `invalid-token`: the device token is wrong or the app was uninstalled — drop the target.
 * - `auth`: our credential was refused — fix the credential, retrying will not help.
 * - `rejected`: the provider refused this message (payload, topic…) — do not retry.
 * - `unavailable`: throttled, provider error or network failure — retry later.
 */
export type PushFailureKind = 'invalid-token' | 'auth' | 'rejected' | 'unavailable';

export type PushResult =
  | { readonly ok: true; readonly messageId: string }
  | {
      readonly ok: false;
      readonly kind: PushFailureKind;
      readonly retryable: boolean;
      /** Provider reason code, e.g. UNREGISTERED, BadDeviceToken, or "timeout". */
      readonly reason: string;
      readonly message: string;
      readonly status?: number;
      /** From the provider's retry-after header, when it sent one. */
      readonly retryAfterSeconds?: number;
    };

export interface PushSender {
  /** Send one notification to one device token. Never throws for provider or network errors. */
  send(deviceToken: string, message: PushMessage): Promise<PushResult>;
}

/** Build a failure result; `retryable` follows from the kind so the two never disagree. */
export function pushFailure(
  kind: PushFailureKind,
  reason: string,
  message: string,
  extra: { status?: number; retryAfterSeconds?: number } = {},
): PushResult {
  return { ok: false, kind, retryable: kind === 'unavailable', reason, message, ...extra };
}
