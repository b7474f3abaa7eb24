/**
 * Envelope encryption for tenant secrets at rest (AES-256-GCM twice): a fresh data key per secret
 * encrypts the plaintext, and a master key from the environment wraps the data key. Rotating the
 * master key only re-wraps 32-byte data keys; ciphertexts never change.
 *
 * Blob format (one string, dot-separated, base64url parts):
 *   ocsb1.<masterKeyId>.<wrapIv>.<wrappedDataKey+tag>.<dataIv>.<ciphertext+tag>
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'ocsb1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A master key given as base64, with an optional explicit id (default: derived from the key). */
export type MasterKeyInput = string | { readonly id: string; readonly key: string };

/** Binds a secret to its owner: a blob sealed for one tenant/feature does not open for another. */
export interface SecretContext {
  readonly tenantId: string;
  readonly feature: string;
}

export type SecretBoxErrorCode = 'malformed' | 'unknown-key' | 'auth-failed' | 'bad-key';

/** Thrown when a blob cannot be opened; the message is safe to log (it never holds secrets). */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

interface ParsedBlob {
  readonly keyId: string;
  readonly wrapIv: Buffer;
  readonly wrappedKey: Buffer;
  readonly dataIv: Buffer;
  readonly ciphertext: Buffer;
}

/** The master keys: the current one seals and re-wraps, previous ones still open old blobs. */
export class Keyring {
  private readonly current: MasterKey;
  private readonly byId: ReadonlyMap<string, MasterKey>;

  /** Build from the current master key and any previous ones still needed to open old blobs. */
  constructor(current: MasterKeyInput, previous: readonly MasterKeyInput[] = []) {
    this.current = parseMasterKey(current);
    const byId = new Map<string, MasterKey>();
    for (const key of [this.current, ...previous.map(parseMasterKey)]) {
      const clash = byId.get(key.id);
      if (clash !== undefined && !clash.key.equals(key.key)) {
        throw new SecretBoxError('bad-key', `Two different master keys share the id "${key.id}"`);
      }
      if (clash === undefined) byId.set(key.id, key);
    }
    this.byId = byId;
  }

  /** Id of the key new blobs are wrapped with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** Encrypt a secret for a tenant and feature; every call uses a fresh data key and IVs. */
  seal(plaintext: string, context: SecretContext): string {
    const dataKey = randomBytes(KEY_BYTES);
    const dataIv = randomBytes(IV_BYTES);
    const ciphertext = gcmEncrypt(
      dataKey,
      dataIv,
      Buffer.from(plaintext, 'utf8'),
      dataAad(context),
    );
    const { wrapIv, wrappedKey } = this.wrap(dataKey, this.current);
    dataKey.fill(0);
    return serialize({ keyId: this.current.id, wrapIv, wrappedKey, dataIv, ciphertext });
  }

  /** Decrypt a blob; throws SecretBoxError if it was altered or belongs to another tenant/feature. */
  open(blob: string, context: SecretContext): string {
    const parsed = parse(blob);
    const dataKey = this.unwrap(parsed);
    try {
      const plaintext = gcmDecrypt(dataKey, parsed.dataIv, parsed.ciphertext, dataAad(context));
      if (plaintext === undefined) {
        throw new SecretBoxError(
          'auth-failed',
          `Secret does not open for tenant "${context.tenantId}" and feature "${context.feature}": ` +
            'it belongs to another tenant or feature, or it was altered',
        );
      }
      return plaintext.toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  /** True when the blob is wrapped with an older master key and should be re-wrapped. */
  needsRewrap(blob: string): boolean {
    return parse(blob).keyId !== this.current.id;
  }

  /** Re-wrap the data key with the current master key; the ciphertext is carried over untouched. */
  rewrap(blob: string): string {
    const parsed = parse(blob);
    if (parsed.keyId === this.current.id) return blob;
    const dataKey = this.unwrap(parsed);
    try {
      const { wrapIv, wrappedKey } = this.wrap(dataKey, this.current);
      return serialize({ ...parsed, keyId: this.current.id, wrapIv, wrappedKey });
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * A short tag to show in UIs ("hmac:1a2b…") so an admin can tell whether a write-only secret
   * changed. Keyed with the current master key and the tenant, so a database reader can neither
   * test guesses of a low-entropy secret nor see that two tenants share one. A master-key
   * rotation changes every fingerprint once (the re-wrap job recomputes them).
   */
  fingerprint(plaintext: string, tenantId: string): string {
    const key = createHmac('sha256', this.current.key)
      .update(JSON.stringify([VERSION, 'fingerprint', tenantId]))
      .digest();
    return `${FINGERPRINT_PREFIX}${createHmac('sha256', key).update(plaintext, 'utf8').digest('hex').slice(0, 16)}`;
  }

  private wrap(dataKey: Buffer, master: MasterKey): { wrapIv: Buffer; wrappedKey: Buffer } {
    const wrapIv = randomBytes(IV_BYTES);
    return { wrapIv, wrappedKey: gcmEncrypt(master.key, wrapIv, dataKey, wrapAad(master.id)) };
  }

  private unwrap(parsed: ParsedBlob): Buffer {
    const master = this.byId.get(parsed.keyId);
    if (master === undefined) {
      throw new SecretBoxError(
        'unknown-key',
        `Secret is wrapped with master key "${parsed.keyId}", which is not configured ` +
          '(add it to the previous master keys)',
      );
    }
    const dataKey = gcmDecrypt(master.key, parsed.wrapIv, parsed.wrappedKey, wrapAad(master.id));
    if (dataKey?.length !== KEY_BYTES) {
      throw new SecretBoxError(
        'auth-failed',
        'Secret data key does not unwrap: the blob was altered',
      );
    }
    return dataKey;
  }
}

/** What Keyring#fingerprint values start with; earlier unkeyed ones started with "sha256:". */
export const FINGERPRINT_PREFIX = 'hmac:';

/** A fresh random master key in the base64 form the Keyring takes (for setup scripts and tests). */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function parseMasterKey(input: MasterKeyInput): MasterKey {
  const encoded = typeof input === 'string' ? input : input.key;
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(
      'bad-key',
      `A master key must be ${KEY_BYTES} bytes encoded as base64 (got ${key.length} bytes)`,
    );
  }
  // A derived id needs no extra configuration and is the same on every node with the same key.
  const id =
    typeof input === 'string'
      ? `k${createHash('sha256').update('opencallback/master-key-id\0').update(key).digest('hex').slice(0, 12)}`
      : input.id;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new SecretBoxError('bad-key', 'A master key id may hold only letters, digits, _ and -');
  }
  return { id, key };
}

// JSON arrays keep the fields unambiguous whatever characters tenant ids or features hold.
function dataAad(context: SecretContext): Buffer {
  return Buffer.from(JSON.stringify([VERSION, 'data', context.tenantId, context.feature]), 'utf8');
}

function wrapAad(keyId: string): Buffer {
  return Buffer.from(JSON.stringify([VERSION, 'wrap', keyId]), 'utf8');
}

function gcmEncrypt(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** undefined when authentication fails (wrong key, wrong aad or altered bytes). */
function gcmDecrypt(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

function serialize(blob: ParsedBlob): string {
  return [
    VERSION,
    blob.keyId,
    blob.wrapIv.toString('base64url'),
    blob.wrappedKey.toString('base64url'),
    blob.dataIv.toString('base64url'),
    blob.ciphertext.toString('base64url'),
  ].join('.');
}

function parse(blob: string): ParsedBlob {
  const parts = blob.split('.');
  if (parts[0] !== VERSION) {
    throw new SecretBoxError('malformed', 'Not a sealed secret (unknown format or version)');
  }
  const [, keyId, wrapIv, wrappedKey, dataIv, ciphertext] = parts;
  if (
    parts.length !== 6 ||
    keyId === undefined ||
    wrapIv === undefined ||
    wrappedKey === undefined ||
    dataIv === undefined ||
    ciphertext === undefined ||
    ![wrapIv, wrappedKey, dataIv, ciphertext].every((part) => /^[A-Za-z0-9_-]*$/.test(part))
  ) {
    throw new SecretBoxError('malformed', 'Sealed secret is truncated or malformed');
  }
  const decoded = {
    keyId,
    wrapIv: Buffer.from(wrapIv, 'base64url'),
    wrappedKey: Buffer.from(wrappedKey, 'base64url'),
    dataIv: Buffer.from(dataIv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
  };
  if (decoded.wrapIv.length !== IV_BYTES || decoded.dataIv.length !== IV_BYTES) {
    throw new SecretBoxError('malformed', 'Sealed secret is truncated or malformed');
  }
  return decoded;
}
