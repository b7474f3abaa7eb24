import { Type, type Static } from 'typebox';
import { Instant } from './common.js';

/** One slot: its capacity, what is booked and what is left. */
export const SlotUse = Type.Object({
  utcTime: Instant,
  localTime: Type.String({ description: "Wall time in the queue's zone" }),
  capacity: Type.Integer(),
  free: Type.Integer(),
  booked: Type.Integer(),
});
export type SlotUse = Static<typeof SlotUse>;

/** Booked versus capacity of a queue's slots over a period. */
export const SlotReport = Type.Object({
  timezone: Type.String(),
  durationMin: Type.Integer(),
  /** The period covered (now to the end of the last day), closed hours included. */
  from: Instant,
  to: Instant,
  slots: Type.Array(SlotUse),
});
export type SlotReport = Static<typeof SlotReport>;

/** Whether a number rule accepts a phone number: the E.164 form, or why not. */
export const NumberCheck = Type.Union([
  Type.Object({ valid: Type.Literal(true), e164: Type.String() }),
  Type.Object({ valid: Type.Literal(false), code: Type.Integer(), reason: Type.String() }),
]);
export type NumberCheck = Static<typeof NumberCheck>;
