import { Type, type TSchema } from 'typebox';
import { ERROR_CATALOGUE, type AppError } from '../domain/errors.js';

/** The GES response envelope's status block. */
export const StatusSchema = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  corrId: Type.String(),
});

/** A success envelope around `data`. */
export const envelope = <T extends TSchema>(data: T) => Type.Object({ status: StatusSchema, data });

/** An error envelope (a 429 on create adds `data`). */
export const ErrorEnvelope = Type.Object({
  status: StatusSchema,
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** The success body. */
export function success<T>(corrId: string, data: T) {
  return { status: { code: 0, message: 'Successful', corrId }, data };
}

const STATUS_BEFORE_CORR_ID = '"status":{"code":0,"message":"Successful","corrId":';

/**
 * success()'s body as JSON text with `data` (already JSON) first, up to the correlation ID: the
 * part of a remembered answer's body that is the same for every request. successTail ends it.
 */
export function successWithDataFirst(dataJson: string): string {
  return `{"data":${dataJson},${STATUS_BEFORE_CORR_ID}`;
}

/** The end of a successWithDataFirst() body: the request's correlation ID. */
export function successTail(corrId: string): string {
  return `${JSON.stringify(corrId)}}}`;
}

/** The error body for an AppError. */
export function failure(corrId: string, error: AppError) {
  // GES clients read every 429 as CreateCallbackResponse429, whose `data.slots` is a map: give
  // the throttles and limits an empty one rather than nothing.
  const data = error.data ?? (error.http === 429 ? { slots: {} } : undefined);
  return {
    status: { code: error.code, message: error.message, corrId },
    ...(data === undefined ? {} : { data }),
  };
}

/** Error responses every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
  409: ErrorEnvelope,
  429: ErrorEnvelope,
  500: ErrorEnvelope,
};

/** The catalogue as a table, for the API reference. */
export const catalogueTable = () =>
  Object.entries(ERROR_CATALOGUE)
    .map(([kind, e]) => `| ${e.code} | ${e.http} | ${kind} | ${e.message} |`)
    .join('\n');
