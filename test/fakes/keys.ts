/** Throwaway credentials for the fakes: an RSA service account for FCM and an EC P-256 APNs key. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestServiceAccount {
  readonly json: {
    type: 'service_account';
    project_id: string;
    private_key_id: string;
    private_key: string;
    client_email: string;
    token_uri: string;
  };
  readonly publicKey: KeyObject;
}

/** A service-account JSON whose token_uri points at the given (fake) endpoint. */
export function makeServiceAccount(
  tokenUri: string,
  projectId = 'opencallback-test',
): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    json: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'test-key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: `push@${projectId}.iam.gserviceaccount.com`,
      token_uri: tokenUri,
    },
    publicKey,
  };
}

export interface TestApnsKey {
  readonly teamId: string;
  readonly keyId: string;
  /** PEM like the content of an AuthKey_XXXX.p8 file. */
  readonly privateKey: string;
  readonly publicKey: KeyObject;
}

/** A fresh .p8-style EC P-256 key with made-up team and key ids. */
export function makeApnsKey(): TestApnsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    teamId: 'TEAM123456',
    keyId: 'KEY1234567',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}
