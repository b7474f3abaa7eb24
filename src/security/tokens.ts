import crypto from 'node:crypto';
import argon2 from 'argon2';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

function encodeBase32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD.charAt((value << (5 - bits)) & 31);
  return out.slice(0, length);
}

function incrementRandom(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const byte = next[i] ?? 0;
    if (byte < 255) {
      next[i] = byte + 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

/**
 * Mints a prefixed, lexicographically sortable id (`cb_01J…`): 48 bits of milliseconds then 80
 * random bits, monotonic within one process so ids minted in the same millisecond still sort.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  if (nowMs <= lastTime) {
    lastRandom = incrementRandom(lastRandom);
  } else {
    lastTime = nowMs;
    lastRandom = crypto.randomBytes(10);
  }
  const time = Buffer.alloc(6);
  time.writeUIntBE(Math.max(lastTime, 0), 0, 6);
  return `${prefix}_${encodeBase32(time, 10)}${encodeBase32(lastRandom, 16)}`;
}

let lastUuidTime = 0;
let uuidSequence = 0;

// Random bytes for ids, drawn from the system 4 KiB at a time: two draws per id were a seventh of
// a booking's CPU (bench/README.md); Node's own randomUUID() buffers them for the same reason.
const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomAt = RANDOM_POOL_BYTES;

const sequenceStart = Buffer.alloc(2);

/** `bytes` fresh random bytes copied into `target` at `offset`. */
function fillRandom(target: Buffer, offset: number, bytes: number): void {
  if (randomAt + bytes > RANDOM_POOL_BYTES) {
    crypto.randomFillSync(randomPool);
    randomAt = 0;
  }
  randomPool.copy(target, offset, randomAt, randomAt + bytes);
  // Never hand out the same bytes twice.
  randomAt += bytes;
}

/**
 * Mints a UUIDv7 (RFC 9562): 48 bits of milliseconds, then a 12-bit sequence and 62 random bits.
 * GES clients type callback and call-in ids as UUIDs; the time prefix keeps index inserts local,
 * and the sequence keeps ids minted in one millisecond in order within this process.
 */
export function newUuidV7(nowMs: number = Date.now()): string {
  if (nowMs > lastUuidTime) {
    lastUuidTime = nowMs;
    // A random start below 2048 leaves at least 2048 ids in this millisecond.
    fillRandom(sequenceStart, 0, 2);
    uuidSequence = sequenceStart.readUInt16BE(0) & 0x7ff;
  } else if (++uuidSequence > 0xfff) {
    // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
    lastUuidTime++;
    uuidSequence = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Math.max(lastUuidTime, 0), 0, 6);
  fillRandom(bytes, 8, 8);
  bytes[6] = 0x70 | (uuidSequence >> 8);
  bytes[7] = uuidSequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SHA-256 of a bearer secret (API key, session token): what we store instead of the secret. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** A fresh API key; `ocb_` and the six characters after it (which may hold a `_`) are its prefix. */
export function generateApiKey(): { key: string; prefix: string } {
  const secret = crypto.randomBytes(24).toString('base64url');
  const prefix = `ocb_${secret.slice(0, 6)}`;
  return { key: `${prefix}_${secret.slice(6)}`, prefix };
}

/** A fresh console session token (256 bits). */
export function generateSessionToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** A readable random password for generated accounts. */
export function generatePassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}

/** argon2id hash of a console password. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** Whether `password` matches the stored argon2 hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// A real hash to verify against when the user does not exist, so a login for an unknown user
// takes as long as one with a wrong password (no username probing by timing).
let dummyHash: Promise<string> | undefined;
/** Burns the same time as a password check, for unknown users. */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password');
  await verifyPassword(await dummyHash, password);
  return false;
}
