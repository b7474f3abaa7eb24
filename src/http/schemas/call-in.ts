import { Type, type Static } from 'typebox';
import { Instant } from './common.js';

/** A click-to-call-in group: a pool of numbers, with or without access codes. */
export const CallInGroup = Type.Object({
  name: Type.String(),
  numbers: Type.Array(Type.String(), { description: 'E.164 numbers of the pool' }),
  accessCodeEnabled: Type.Boolean(),
  accessCodeLength: Type.Integer({ description: 'Digits of the access code (1–8)' }),
  expirySeconds: Type.Integer({ description: 'How long a request holds its number and code' }),
  source: Type.String({ description: 'Who last wrote the group: api or the configuration' }),
  updatedAt: Instant,
});
export type CallInGroup = Static<typeof CallInGroup>;

/** What a call-in request holds for its customer, as both APIs show it. */
const CallInHeld = {
  id: Type.String(),
  toPhoneNumber: Type.String(),
  groupName: Type.String(),
  expirationTime: Type.Integer({ description: 'epoch milliseconds' }),
  fromPhoneNumber: Type.Optional(Type.String()),
  callbackServiceId: Type.Optional(Type.String()),
};

/** A call-in request as the Engagement API answers it. */
export const CallInRequest = Type.Object({
  ...CallInHeld,
  // A number, as GES clients read it (codes never start with 0).
  accessCode: Type.Optional(Type.Integer()),
});

/** A call-in request as the console lists it. */
export const CallInRecord = Type.Object({
  ...CallInHeld,
  accessCode: Type.Optional(Type.String()),
  status: Type.String({ description: 'live, matched or expired' }),
  createdAt: Instant,
  matchedAt: Type.Optional(Instant),
});
export type CallInRecord = Static<typeof CallInRecord>;
