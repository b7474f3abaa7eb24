import { Type, type Static } from 'typebox';
import { CALLBACK_STATES } from '../../domain/callback-state.js';
import { LenientBoolean } from '../lenient.js';
import {
  CallbackId,
  DateTimeText,
  Instant,
  InstantOrNull,
  PhoneNumber,
  ServiceName,
  Text,
} from './common.js';

/** One of the lifecycle states (SCHEDULED … COMPLETED). */
export const CallbackStateField = Type.Enum(CALLBACK_STATES);
/** A list of states to filter on. */
export const CallbackStates = Type.Array(CallbackStateField, { maxItems: 5 });

// ---- Engagement API (GES) ----

/** GES create: what a client sends to book a callback. */
export const CreateCallbackBody = Type.Object({
  serviceName: ServiceName,
  phoneNumber: PhoneNumber,
  desiredTime: Type.Optional(Text(40)),
  // Reporting only: the official clients send a sentence here by default, so an unknown value
  // means "derive from desiredTime" rather than an error.
  cbOfferType: Type.Optional(Text(256)),
  language: Type.Optional(Text(35)),
  inboundVQ: Type.Optional(Text(128)),
  offerThreshold: Type.Optional(Type.Union([Type.Number(), Text(32)])),
  channel: Type.Optional(Text(64)),
  offerTiming: Type.Optional(Text(64)),
  cbOriginationIxnId: Type.Optional(Text(128)),
  surveyRP: Type.Optional(Text(128)),
  routePoint: Type.Optional(Text(128)),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  userData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  captchaToken: Type.Optional(Text(8192)),
  pushChannel: Type.Optional(Text(32)),
  pushTarget: Type.Optional(Text(1024)),
  pushTargets: Type.Optional(
    Type.Array(Type.Object({ channel: Text(32), target: Text(1024) }), { maxItems: 10 }),
  ),
  alwaysCheckCapacity: Type.Optional(LenientBoolean),
});
export type CreateCallbackBody = Static<typeof CreateCallbackBody>;

/** The booking use case's input: the create body, its lenient flag read as a boolean. */
export type CreateCallbackInput = Omit<CreateCallbackBody, 'alwaysCheckCapacity'> & {
  alwaysCheckCapacity?: boolean | undefined;
};

/** A request naming one callback (cancel, retrieve). */
export const IdBody = Type.Object({ id: CallbackId });

/** GES-style reschedule (beyond GES). */
export const RescheduleBody = Type.Object({
  id: CallbackId,
  desiredTime: DateTimeText,
  alwaysCheckCapacity: Type.Optional(LenientBoolean),
});

/** Query callbacks by number, queue and state (beyond GES). */
export const CallbackQueryBody = Type.Object({
  phoneNumber: Type.Optional(PhoneNumber),
  serviceName: Type.Optional(ServiceName),
  states: Type.Optional(CallbackStates),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
export type CallbackQuery = Static<typeof CallbackQueryBody>;

/** The answer to create and cancel: the callback's id. */
export const CallbackRef = Type.Object({ id: Type.String() });

/** A callback as the Engagement API shows it, with its place in the queue while it waits. */
export const CallbackView = Type.Object({
  id: Type.String(),
  serviceName: Type.String(),
  desiredTime: Type.String(),
  callbackState: CallbackStateField,
  callbackReason: Type.Optional(Type.String()),
  phoneNumber: Type.String(),
  positionInQueue: Type.Optional(Type.Integer()),
  estimatedWaitTime: Type.Optional(Type.Integer()),
});
export type CallbackView = Static<typeof CallbackView>;

// ---- Admin API (console) ----

/** A callback as the console lists it (no userData: that is personal data, shown on demand). */
export const CallbackSummary = Type.Object({
  id: Type.String(),
  serviceName: Type.String(),
  phoneNumber: Type.String(),
  state: CallbackStateField,
  reason: Type.Union([Type.String(), Type.Null()]),
  desiredTime: Instant,
  immediate: Type.Boolean(),
  priority: Type.Integer(),
  attempts: Type.Integer(),
  createdAt: Instant,
  updatedAt: Instant,
  completedAt: InstantOrNull,
});
export type CallbackSummary = Static<typeof CallbackSummary>;

/** A JSON document stored with a callback; null when it could not be read. */
const StoredDocument = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

/** One callback with its reporting fields, userData and history of state changes. */
export const CallbackDetail = Type.Object({
  ...CallbackSummary.properties,
  userData: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  details: StoredDocument,
  history: Type.Array(Type.Object({ type: Type.String(), at: Instant, snapshot: StoredDocument })),
});
export type CallbackDetail = Static<typeof CallbackDetail>;

/** A page of the console's callback search, with the window it covered. */
export const CallbackPage = Type.Object({
  items: Type.Array(CallbackSummary),
  nextBefore: Type.Optional(Type.String({ description: 'Pass as `before` for the next page' })),
  from: Instant,
  to: Instant,
  now: Instant,
  timezone: Type.String({ description: "The tenant's IANA zone" }),
});
export type CallbackPage = Static<typeof CallbackPage>;

/** A callback booked from the console (immediate without desiredTime). */
export const ConsoleCreateCallbackBody = Type.Object({
  serviceName: ServiceName,
  phoneNumber: PhoneNumber,
  desiredTime: Type.Optional(DateTimeText),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  userData: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 1024 }))),
  alwaysCheckCapacity: Type.Optional(Type.Boolean()),
});

/** The console's reschedule. */
export const ConsoleRescheduleBody = Type.Object({
  desiredTime: DateTimeText,
  alwaysCheckCapacity: Type.Optional(Type.Boolean()),
});
