import { Type, type Static } from 'typebox';
import { Instant } from './common.js';

/** One logged Engagement API error as the Developer tab lists it. */
export const ErrorSummary = Type.Object({
  id: Type.String(),
  corrId: Type.String(),
  method: Type.String(),
  url: Type.String(),
  statusCode: Type.Integer(),
  code: Type.Integer(),
  message: Type.String(),
  timestamp: Instant,
  /** Only on a failure without a valid key: the presented prefix, one of this tenant's keys'. */
  keyPrefix: Type.Optional(Type.String()),
});
export type ErrorSummary = Static<typeof ErrorSummary>;

/** A page of the error log, newest first. */
export const ErrorPage = Type.Object({
  items: Type.Array(ErrorSummary),
  nextBefore: Type.Optional(Type.String({ description: 'Pass as `before` for the next page' })),
});
export type ErrorPage = Static<typeof ErrorPage>;

/** One logged error with its redacted request and its response. */
export const ErrorDetail = Type.Object({
  ...ErrorSummary.properties,
  request: Type.Object(
    {
      headers: Type.Record(Type.String(), Type.Unknown()),
      body: Type.Optional(Type.Unknown()),
    },
    { description: 'The request headers and body, secrets redacted' },
  ),
  response: Type.Unknown({ description: 'The body answered' }),
});
export type ErrorDetail = Static<typeof ErrorDetail>;
