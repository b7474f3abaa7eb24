// The fields of each integration credential as JSON Schema annotations and limits, in plain
// objects so the console builds its forms from them without bundling a schema library; the
// TypeBox schemas (credentials.ts) are made of these. `title` is a field's label, `description`
// what it holds, `writeOnly` marks the secret (never shown again), `contentMediaType` a field
// pasted as a file.

export const CREDENTIAL_FEATURES = ['statistics', 'push-fcm', 'push-apns', 'captcha'] as const;
export type CredentialFeature = (typeof CREDENTIAL_FEATURES)[number];

const path = (title: string) => ({
  maxLength: 512,
  pattern: '^/',
  title,
  description: 'a path starting with "/"',
});
const APPLE_ID = '^[A-Z0-9]{10}$';

/**
 * Each kind's title, secret field, required fields (the schemas of credentials.ts agree, tested)
 * and fields in form order.
 */
export const CREDENTIAL_FIELDS = {
  statistics: {
    title: 'Statistics (GWS-style)',
    secretField: 'clientSecret',
    required: ['baseUrl', 'clientId'],
    fields: {
      baseUrl: {
        maxLength: 2048,
        format: 'uri',
        pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
        title: 'Base URL',
        description: 'an http:// or https:// URL',
      },
      clientId: { maxLength: 256, title: 'Client ID' },
      clientSecret: { maxLength: 4096, title: 'Client secret', writeOnly: true },
      tokenPath: path('Token path'),
      statisticsPath: path('Statistics path'),
    },
  },
  'push-fcm': {
    title: 'Firebase Cloud Messaging',
    secretField: 'serviceAccount',
    required: [],
    fields: {
      serviceAccount: {
        title: 'Service account JSON',
        description: 'the key file Google gives you',
        writeOnly: true,
        contentMediaType: 'application/json',
      },
    },
  },
  'push-apns': {
    title: 'Apple Push Notification service',
    secretField: 'privateKey',
    required: ['teamId', 'keyId', 'bundleId'],
    fields: {
      teamId: {
        pattern: APPLE_ID,
        title: 'Team ID',
        description: 'the 10-character Apple Team ID',
      },
      keyId: {
        pattern: APPLE_ID,
        title: 'Key ID',
        description: 'the 10-character Key ID of the .p8 key',
      },
      bundleId: { maxLength: 255, title: 'Bundle ID' },
      environment: {
        enum: ['production', 'sandbox'],
        title: 'Environment',
        description: 'one of "production", "sandbox"',
      },
      privateKey: {
        maxLength: 8192,
        title: 'Private key (.p8)',
        writeOnly: true,
        contentMediaType: 'application/x-pem-file',
      },
    },
  },
  captcha: {
    title: 'CAPTCHA',
    secretField: 'secret',
    required: ['provider'],
    fields: {
      provider: {
        enum: ['recaptcha', 'hcaptcha', 'turnstile'],
        title: 'Provider',
        description: 'one of "recaptcha", "hcaptcha", "turnstile"',
      },
      siteKey: { maxLength: 256, title: 'Site key' },
      secret: { maxLength: 1024, title: 'Secret key', writeOnly: true },
      minScore: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        title: 'Minimum score (reCAPTCHA v3)',
        description: 'a number from 0 to 1',
      },
      expectedAction: { maxLength: 128, title: 'Expected action' },
    },
  },
} as const;
