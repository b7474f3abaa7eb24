import { type Static, type TSchema, Type } from 'typebox';

// The integration credentials, one schema per kind: what PUT /credentials/{feature} takes, and
// the non-secret fields reads show. Annotations drive the console's form: `title` is a field's
// label, `description` its hint, `writeOnly` marks the secret (never shown again), and
// `contentMediaType` a field pasted as a file (a text area). Pure: the console imports it.
// Empty fields count as absent (see credential-kinds.ts).

export const CREDENTIAL_FEATURES = ['statistics', 'push-fcm', 'push-apns', 'captcha'] as const;
export type CredentialFeature = (typeof CREDENTIAL_FEATURES)[number];

const Path = (title: string) =>
  Type.Optional(
    Type.String({ maxLength: 512, pattern: '^/', title, description: 'a path starting with "/"' }),
  );

const StatisticsFields = {
  baseUrl: Type.String({
    maxLength: 2048,
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    title: 'Base URL',
    description: 'an http:// or https:// URL',
  }),
  clientId: Type.String({ maxLength: 256, title: 'Client ID' }),
  tokenPath: Path('Token path'),
  statisticsPath: Path('Statistics path'),
};
const StatisticsSettings = Type.Object(StatisticsFields, { additionalProperties: false });
const StatisticsBody = Type.Object(
  {
    ...StatisticsFields,
    clientSecret: Type.Optional(
      Type.String({ maxLength: 4096, title: 'Client secret', writeOnly: true }),
    ),
  },
  { additionalProperties: false },
);

const FcmSettings = Type.Object(
  {
    projectId: Type.String(),
    clientEmail: Type.String(),
    privateKeyId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const FcmBody = Type.Object(
  {
    serviceAccount: Type.Optional(
      Type.Union([Type.String({ maxLength: 16_384 }), Type.Record(Type.String(), Type.Unknown())], {
        title: 'Service account JSON',
        description: 'the key file Google gives you',
        writeOnly: true,
        contentMediaType: 'application/json',
      }),
    ),
  },
  { additionalProperties: false },
);

const APPLE_ID = '^[A-Z0-9]{10}$';
const ApnsFields = {
  teamId: Type.String({
    pattern: APPLE_ID,
    title: 'Team ID',
    description: 'the 10-character Apple Team ID',
  }),
  keyId: Type.String({
    pattern: APPLE_ID,
    title: 'Key ID',
    description: 'the 10-character Key ID of the .p8 key',
  }),
  bundleId: Type.String({ maxLength: 255, title: 'Bundle ID' }),
  environment: Type.Enum(['production', 'sandbox'], {
    title: 'Environment',
    description: 'one of "production", "sandbox"',
    default: 'production',
  }),
};
const ApnsSettings = Type.Object(ApnsFields, { additionalProperties: false });
const ApnsBody = Type.Object(
  {
    ...ApnsFields,
    environment: Type.Optional(ApnsFields.environment),
    privateKey: Type.Optional(
      Type.String({
        maxLength: 8192,
        title: 'Private key (.p8)',
        writeOnly: true,
        contentMediaType: 'application/x-pem-file',
      }),
    ),
  },
  { additionalProperties: false },
);

const CaptchaFields = {
  provider: Type.Enum(['recaptcha', 'hcaptcha', 'turnstile'], {
    title: 'Provider',
    description: 'one of "recaptcha", "hcaptcha", "turnstile"',
  }),
  siteKey: Type.Optional(Type.String({ maxLength: 256, title: 'Site key' })),
  minScore: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 1,
      title: 'Minimum score (reCAPTCHA v3)',
      description: 'a number from 0 to 1',
    }),
  ),
  expectedAction: Type.Optional(Type.String({ maxLength: 128, title: 'Expected action' })),
};
const CaptchaSettings = Type.Object(CaptchaFields, { additionalProperties: false });
const CaptchaBody = Type.Object(
  {
    provider: CaptchaFields.provider,
    siteKey: CaptchaFields.siteKey,
    secret: Type.Optional(Type.String({ maxLength: 1024, title: 'Secret key', writeOnly: true })),
    minScore: CaptchaFields.minScore,
    expectedAction: CaptchaFields.expectedAction,
  },
  { additionalProperties: false },
);

/** Each kind: its title, the body a PUT takes, the settings reads show, its secret field. */
export const CREDENTIAL_KINDS = {
  statistics: {
    title: 'Statistics (GWS-style)',
    body: StatisticsBody,
    settings: StatisticsSettings,
    secretField: 'clientSecret',
  },
  'push-fcm': {
    title: 'Firebase Cloud Messaging',
    body: FcmBody,
    settings: FcmSettings,
    secretField: 'serviceAccount',
  },
  'push-apns': {
    title: 'Apple Push Notification service',
    body: ApnsBody,
    settings: ApnsSettings,
    secretField: 'privateKey',
  },
  captcha: {
    title: 'CAPTCHA',
    body: CaptchaBody,
    settings: CaptchaSettings,
    secretField: 'secret',
  },
} as const satisfies Record<
  CredentialFeature,
  { title: string; body: TSchema; settings: TSchema; secretField: string }
>;

type Kinds = typeof CREDENTIAL_KINDS;
/** The body of PUT /credentials/{feature} for each kind. */
export type CredentialBodyOf = { [F in CredentialFeature]: Static<Kinds[F]['body']> };
/** The non-secret fields of each kind (what reads show). */
export type SettingsOf = { [F in CredentialFeature]: Static<Kinds[F]['settings']> };

/** A credential's body, whichever its kind (the path names the kind). */
export const CredentialBody = Type.Union([StatisticsBody, FcmBody, ApnsBody, CaptchaBody]);

const viewOf = <F extends CredentialFeature>(feature: F) =>
  Type.Object({
    feature: Type.Literal(feature),
    settings: CREDENTIAL_KINDS[feature].settings,
    /** Of the secret, so a change shows without the secret. */
    fingerprint: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  });

/** A registered credential as reads show it, keyed by `feature`: never the secret. */
export const CredentialView = Type.Union([
  viewOf('statistics'),
  viewOf('push-fcm'),
  viewOf('push-apns'),
  viewOf('captcha'),
]);
export type CredentialView = Static<typeof CredentialView>;
