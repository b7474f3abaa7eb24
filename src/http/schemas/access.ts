import { Type, type Static } from 'typebox';
import { KEY_KINDS, ROLES, SCOPES } from '../../services/access.js';
import { Instant, InstantOrNull } from './common.js';

/** A console role. */
export const RoleField = Type.Enum(ROLES);
export type Role = Static<typeof RoleField>;
/** What an API key may call. */
export const ScopeField = Type.Enum(SCOPES);
/** Browser keys are limited to what a web page may do; server keys are not. */
export const KeyKindField = Type.Enum(KEY_KINDS);

/** The logged-in console user. */
export const Session = Type.Object({
  tenant: Type.String(),
  username: Type.String(),
  role: RoleField,
  idleTimeoutSeconds: Type.Integer(),
  /** The tenant's IANA zone: the console's default display zone. */
  timezone: Type.String({ description: "The tenant's IANA zone, the console's default" }),
});
export type Session = Static<typeof Session>;

/** An API key as listed: never the key, only its prefix. */
export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: ScopeField,
  kind: KeyKindField,
  prefix: Type.String(),
  createdAt: Instant,
  revokedAt: InstantOrNull,
  lastUsedAt: InstantOrNull,
});
export type ApiKeyView = Static<typeof ApiKeyView>;

/** A key just created: the key itself is in this answer only (only its hash is kept). */
export const CreatedApiKey = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'Shown once; store it now' }),
  prefix: Type.String(),
  scope: ScopeField,
  kind: KeyKindField,
  name: Type.String(),
  createdAt: Instant,
});
export type CreatedApiKey = Static<typeof CreatedApiKey>;

/** A console user as listed (never the password hash). */
export const UserView = Type.Object({
  username: Type.String(),
  role: RoleField,
  disabled: Type.Boolean(),
  createdAt: Instant,
});
export type UserView = Static<typeof UserView>;

/** A user just created; with a generated password, that password in this answer only. */
export const CreatedUser = Type.Object({
  username: Type.String(),
  role: RoleField,
  generatedPassword: Type.Optional(Type.String({ description: 'Shown once, when generated' })),
});
export type CreatedUser = Static<typeof CreatedUser>;

/** A user after a change. */
export const UpdatedUser = Type.Object({
  username: Type.String(),
  role: RoleField,
  disabled: Type.Boolean(),
});
export type UpdatedUser = Static<typeof UpdatedUser>;

/** One admin action of the audit log, with the states before and after where it has them. */
export const AuditEntry = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  before: Type.Unknown({ description: 'The state before, as recorded; null when none' }),
  after: Type.Unknown({ description: 'The state after, as recorded; null when none' }),
  createdAt: Instant,
});
export type AuditEntry = Static<typeof AuditEntry>;
