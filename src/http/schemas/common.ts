import { Type } from 'typebox';

// Field schemas shared by many routes: one definition each.

/** Text of at most `max` characters. */
export const Text = (max: number) => Type.String({ maxLength: max });

/** A queue's name (GES calls it the service). */
export const ServiceName = Type.String({ minLength: 1, maxLength: 64 });
/** A phone number as a caller writes it; the queue's number rule normalises it. */
export const PhoneNumber = Type.String({ minLength: 1, maxLength: 40 });
/** A callback's id. */
export const CallbackId = Type.String({ minLength: 1, maxLength: 64 });
/** A call-in group's name. */
export const GroupName = Type.String({ minLength: 1, maxLength: 64 });
/** An IANA time zone name as a request gives it (the service checks it is one). */
export const TimeZoneName = Type.String({ minLength: 1, maxLength: 64 });
/** A console user's name. */
export const Username = Type.String({ minLength: 1, maxLength: 64 });
/** A date and time as a request gives it (ISO 8601, or GES's forms). */
export const DateTimeText = Type.String({ minLength: 1, maxLength: 40 });
/** The `before` cursor of a page (the last id of the previous page). */
export const Cursor = Type.String({ maxLength: 64 });

/** `/…/:id` of a record (callback, job, webhook). */
export const IdParams = Type.Object({ id: CallbackId });
/** `/…/:name` of a queue or call-in group. */
export const NameParams = Type.Object({ name: ServiceName });

/** An ISO 8601 UTC instant in a response. */
export const Instant = Type.String({ description: 'ISO 8601 UTC instant' });
/** An instant, or null when it has not happened. */
export const InstantOrNull = Type.Union([Instant, Type.Null()]);
