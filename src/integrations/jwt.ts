/**
 * Minimal JWS compact signing for the two provider tokens we mint (FCM's RS256 assertion and
 * APNs' ES256 provider token). No library: node:crypto does the signing.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'ES256';

/** base64url without padding, as JWS requires. */
export function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Parse a PEM private key, turning OpenSSL's cryptic errors into one clear message. */
export function loadPrivateKey(pem: string, what: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`${what} is not a valid PEM private key`);
  }
}

/** Check that a key suits the algorithm, so a wrong key fails before any network call. */
export function assertKeyFits(key: KeyObject, alg: JwtAlgorithm, what: string): void {
  if (alg === 'RS256' && key.asymmetricKeyType !== 'rsa') {
    throw new Error(`${what} must be an RSA private key`);
  }
  if (alg === 'ES256') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
      throw new Error(`${what} must be an EC P-256 private key (an Apple .p8 key)`);
    }
  }
}

/** Sign `header.claims` and return the compact JWT; `alg` is set here, other header fields by the caller. */
export function signJwt(
  alg: JwtAlgorithm,
  header: Readonly<Record<string, string>>,
  claims: Readonly<Record<string, string | number>>,
  key: KeyObject,
): string {
  const signingInput = `${base64url(JSON.stringify({ alg, ...header }))}.${base64url(
    JSON.stringify(claims),
  )}`;
  // JWS ES256 wants the raw r||s signature, not the DER that node produces by default.
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(signingInput), key);
  return `${signingInput}.${base64url(signature)}`;
}
