// The fields of each integration credential (server: src/services/credential-kinds.ts).
export type CredentialFeature = 'statistics' | 'push-fcm' | 'push-apns' | 'captcha';

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'url' | 'number' | 'textarea' | 'select';
  options?: readonly string[];
  required?: boolean;
  /** Write-only: never shown again once stored. */
  secret?: boolean;
  hint?: string;
}

export interface CredentialKind {
  feature: CredentialFeature;
  title: string;
  fields: readonly FieldSpec[];
}

export const STATISTICS: CredentialKind = {
  feature: 'statistics',
  title: 'Statistics (GWS-style)',
  fields: [
    { name: 'baseUrl', label: 'Base URL', kind: 'url', required: true },
    { name: 'clientId', label: 'Client ID', kind: 'text', required: true },
    { name: 'clientSecret', label: 'Client secret', kind: 'text', secret: true },
    { name: 'tokenPath', label: 'Token path', kind: 'text', hint: 'optional' },
    { name: 'statisticsPath', label: 'Statistics path', kind: 'text', hint: 'optional' },
  ],
};

export const FCM: CredentialKind = {
  feature: 'push-fcm',
  title: 'Firebase Cloud Messaging',
  fields: [
    {
      name: 'serviceAccount',
      label: 'Service account JSON',
      kind: 'textarea',
      secret: true,
      hint: 'the key file Google gives you',
    },
  ],
};

export const APNS: CredentialKind = {
  feature: 'push-apns',
  title: 'Apple Push Notification service',
  fields: [
    { name: 'teamId', label: 'Team ID', kind: 'text', required: true },
    { name: 'keyId', label: 'Key ID', kind: 'text', required: true },
    { name: 'bundleId', label: 'Bundle ID', kind: 'text', required: true },
    {
      name: 'environment',
      label: 'Environment',
      kind: 'select',
      options: ['production', 'sandbox'],
    },
    { name: 'privateKey', label: 'Private key (.p8)', kind: 'textarea', secret: true },
  ],
};

export const CAPTCHA: CredentialKind = {
  feature: 'captcha',
  title: 'CAPTCHA',
  fields: [
    {
      name: 'provider',
      label: 'Provider',
      kind: 'select',
      options: ['recaptcha', 'hcaptcha', 'turnstile'],
    },
    { name: 'siteKey', label: 'Site key', kind: 'text' },
    { name: 'secret', label: 'Secret key', kind: 'text', secret: true },
    {
      name: 'minScore',
      label: 'Minimum score (reCAPTCHA v3)',
      kind: 'number',
      hint: 'optional, 0 to 1',
    },
    { name: 'expectedAction', label: 'Expected action', kind: 'text', hint: 'optional' },
  ],
};

/** A registered credential as reads show it: never the secret, only its fingerprint. */
export interface CredentialView {
  feature: CredentialFeature;
  settings: Record<string, unknown>;
  fingerprint: string;
  createdAt: string;
  updatedAt: string;
}
