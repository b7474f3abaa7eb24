/**
 * Independent JWT verification for the fakes, written from the JWS spec rather than reusing the
 * client's signer, so a signing bug cannot be hidden by the same bug on both sides.
 */
import { verify, type KeyObject } from 'node:crypto';

export interface VerifiedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

/** Verify signature and algorithm; returns header and claims or throws with the reason. */
export function verifyJwt(
  token: string,
  publicKey: KeyObject,
  alg: 'RS256' | 'ES256',
): VerifiedJwt {
  const parts = token.split('.');
  const [headerPart, claimsPart, signaturePart] = parts;
  if (
    parts.length !== 3 ||
    headerPart === undefined ||
    claimsPart === undefined ||
    signaturePart === undefined
  ) {
    throw new Error('not a compact JWS');
  }
  const header = decodeJson(headerPart);
  if (header.alg !== alg) throw new Error(`alg is ${String(header.alg)}, expected ${alg}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const data = Buffer.from(`${headerPart}.${claimsPart}`);
  const valid =
    alg === 'ES256'
      ? // JWS ES256 signatures are raw r||s (64 bytes), not DER.
        signature.length === 64 &&
        verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', data, publicKey, signature);
  if (!valid) throw new Error('bad signature');
  return { header, claims: decodeJson(claimsPart) };
}

function decodeJson(part: string): Record<string, unknown> {
  const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('JWT part is not a JSON object');
  }
  return value as Record<string, unknown>;
}
