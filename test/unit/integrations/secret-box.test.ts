import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateMasterKey, Keyring, SecretBoxError } from '../../../src/security/secret-box.js';

const acmeFcm = { tenantId: 'acme', feature: 'push.fcm' };

describe('secret box', () => {
  it('opens what it sealed, and never produces the same blob twice', () => {
    const keyring = new Keyring(generateMasterKey());
    const first = keyring.seal('s3cret-value', acmeFcm);
    const second = keyring.seal('s3cret-value', acmeFcm);
    expect(first).not.toBe(second);
    expect(first).not.toContain('s3cret');
    expect(first.startsWith(`ocsb1.${keyring.currentKeyId}.`)).toBe(true);
    expect(keyring.open(first, acmeFcm)).toBe('s3cret-value');
    expect(keyring.open(second, acmeFcm)).toBe('s3cret-value');
  });

  it('refuses a blob copied to another tenant or feature', () => {
    const keyring = new Keyring(generateMasterKey());
    const blob = keyring.seal('s3cret-value', acmeFcm);
    expect(() => keyring.open(blob, { tenantId: 'globex', feature: 'push.fcm' })).toThrow(
      /does not open for tenant "globex"/,
    );
    expect(() => keyring.open(blob, { tenantId: 'acme', feature: 'captcha' })).toThrow(
      SecretBoxError,
    );
  });

  it('detects tampering with any part of the blob', () => {
    const keyring = new Keyring(generateMasterKey());
    const blob = keyring.seal('s3cret-value', acmeFcm);
    const parts = blob.split('.');
    for (const index of [2, 3, 4, 5]) {
      const altered = [...parts];
      const part = altered[index] ?? '';
      // Flip the first character to another base64url character.
      altered[index] = (part.startsWith('A') ? 'B' : 'A') + part.slice(1);
      expect(() => keyring.open(altered.join('.'), acmeFcm)).toThrow(SecretBoxError);
    }
    expect(() => keyring.open('garbage', acmeFcm)).toThrow(/Not a sealed secret/);
    expect(() => keyring.open(parts.slice(0, 4).join('.'), acmeFcm)).toThrow(/malformed/);
  });

  it('fails clearly when the blob was sealed under a master key that is not configured', () => {
    const blob = new Keyring(generateMasterKey()).seal('x', acmeFcm);
    const other = new Keyring(generateMasterKey());
    expect(() => other.open(blob, acmeFcm)).toThrow(/not configured/);
  });

  it('rotates: old blobs still open, rewrap moves them to the new key without new ciphertext', () => {
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const blob = new Keyring(oldKey).seal('rotate-me', acmeFcm);
    const rotated = new Keyring(newKey, [oldKey]);
    expect(rotated.needsRewrap(blob)).toBe(true);
    expect(rotated.open(blob, acmeFcm)).toBe('rotate-me');

    const rewrapped = rotated.rewrap(blob);
    expect(rotated.needsRewrap(rewrapped)).toBe(false);
    // The data IV and ciphertext are carried over byte for byte.
    expect(rewrapped.split('.').slice(4)).toEqual(blob.split('.').slice(4));
    // Once re-wrapped, the old key can be dropped.
    expect(new Keyring(newKey).open(rewrapped, acmeFcm)).toBe('rotate-me');
    expect(rotated.rewrap(rewrapped)).toBe(rewrapped);
  });

  it('accepts explicit key ids and rejects keys of the wrong size', () => {
    const keyring = new Keyring({ id: 'prod-2026', key: generateMasterKey() });
    expect(keyring.seal('x', acmeFcm).split('.')[1]).toBe('prod-2026');
    expect(() => new Keyring(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('fingerprints are short, keyed per tenant and master key, and do not reveal the secret', () => {
    const key = generateMasterKey();
    const a = new Keyring(key);
    const fp = a.fingerprint('client-secret', 'acme');
    expect(fp).toMatch(/^hmac:[0-9a-f]{16}$/);
    // Stable for one tenant and key (every node shares the key), so a change is visible.
    expect(new Keyring(key).fingerprint('client-secret', 'acme')).toBe(fp);
    expect(a.fingerprint('client-secret2', 'acme')).not.toBe(fp);
    // Another tenant with the same secret, or anyone without the master key, gets another tag.
    expect(a.fingerprint('client-secret', 'beta')).not.toBe(fp);
    expect(new Keyring(generateMasterKey()).fingerprint('client-secret', 'acme')).not.toBe(fp);
    expect(fp).not.toContain(
      createHash('sha256').update('client-secret').digest('hex').slice(0, 16),
    );
  });
});
