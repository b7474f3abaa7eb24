import { type Static, type TSchema, Type } from 'typebox';
import { CREDENTIAL_FIELDS, type CredentialFeature } from './credential-fields.js';

export { CREDENTIAL_FEATURES, type CredentialFeature } from './credential-fields.js';

// The integration credentials, one TypeBox schema per kind, made of the field descriptions in
// credential-fields.ts: what PUT /credentials/{feature} takes, and the non-secret fields reads show.
// Empty fields count as absent (services/credential-kinds.ts).

const {
  statistics: S,
  'push-fcm': F,
  'push-apns': A,
  captcha: C,
} = Object.fromEntries(
  Object.entries(CREDENTIAL_FIELDS).map(([feature, kind]) => [feature, kind.fields]),
) as { [K in CredentialFeature]: (typeof CREDENTIAL_FIELDS)[K]['fields'] };

const StatisticsBody = Type.Object(
  {
    baseUrl: Type.String(S.baseUrl),
    clientId: Type.String(S.clientId),
    clientSecret: Type.Optional(Type.String(S.clientSecret)),
    tokenPath: Type.Optional(Type.String(S.tokenPath)),
    statisticsPath: Type.Optional(Type.String(S.statisticsPath)),
  },
  { additionalProperties: false },
);
const StatisticsSettings = Type.Omit(StatisticsBody, ['clientSecret'], {
  additionalProperties: false,
});

const FcmBody = Type.Object(
  {
    serviceAccount: Type.Optional(
      Type.Union(
        [Type.String({ maxLength: 16_384 }), Type.Record(Type.String(), Type.Unknown())],
        F.serviceAccount,
      ),
    ),
  },
  { additionalProperties: false },
);
/** Read from the service account; its private key is the secret. */
const FcmSettings = Type.Object(
  {
    projectId: Type.String(),
    clientEmail: Type.String(),
    privateKeyId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const ApnsEnvironment = Type.Enum(A.environment.enum, A.environment);
const ApnsBody = Type.Object(
  {
    teamId: Type.String(A.teamId),
    keyId: Type.String(A.keyId),
    bundleId: Type.String(A.bundleId),
    /** production when left out. */
    environment: Type.Optional(ApnsEnvironment),
    privateKey: Type.Optional(Type.String(A.privateKey)),
  },
  { additionalProperties: false },
);
const ApnsSettings = Type.Object(
  {
    ...Type.Omit(ApnsBody, ['privateKey', 'environment']).properties,
    environment: ApnsEnvironment,
  },
  { additionalProperties: false },
);

const CaptchaBody = Type.Object(
  {
    provider: Type.Enum(C.provider.enum, C.provider),
    siteKey: Type.Optional(Type.String(C.siteKey)),
    secret: Type.Optional(Type.String(C.secret)),
    minScore: Type.Optional(Type.Number(C.minScore)),
    expectedAction: Type.Optional(Type.String(C.expectedAction)),
  },
  { additionalProperties: false },
);
const CaptchaSettings = Type.Omit(CaptchaBody, ['secret'], { additionalProperties: false });

/** Each kind: the body a PUT takes and the settings reads show. */
export const CREDENTIAL_KINDS = {
  statistics: { body: StatisticsBody, settings: StatisticsSettings },
  'push-fcm': { body: FcmBody, settings: FcmSettings },
  'push-apns': { body: ApnsBody, settings: ApnsSettings },
  captcha: { body: CaptchaBody, settings: CaptchaSettings },
} as const satisfies Record<CredentialFeature, { body: TSchema; settings: TSchema }>;

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
