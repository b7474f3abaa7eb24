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

/** Every failure status any route may answer; `declareFailures` gives each route its own. */
const FAILURE_STATUSES = {
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
  409: ErrorEnvelope,
  429: ErrorEnvelope,
  500: ErrorEnvelope,
};

/** Paths of the JSON APIs (everything else is the console or the docs). */
export const API_PATH = /^\/(engagement|admin|dispatch)\//;
const READS = new Set(['GET', 'HEAD']);

/** What declareFailures reads of a route. */
interface RouteShape {
  method: string | string[];
  url: string;
  schema?: Record<string, unknown> | undefined;
  config?: unknown;
}

/**
 * The failure statuses a route can answer, from what it is: 400 when it takes input or a body,
 * 401 and 403 behind a key or session (403 also for a console change from a foreign origin),
 * 404 when it names a record, 409 only on writes, 429 where rate limits apply (the Engagement
 * API, routes with their own limit), 500 everywhere.
 */
export function failureStatuses(route: RouteShape): number[] {
  const methods = [route.method].flat();
  const write = methods.some((m) => !READS.has(m));
  const schema = route.schema ?? {};
  const api = API_PATH.test(route.url);
  const config = (route.config ?? {}) as { public?: boolean; rateLimit?: unknown };
  const names = schema.params !== undefined || schema.body !== undefined;
  const input = names || schema.querystring !== undefined || schema.headers !== undefined;
  const limited = route.url.startsWith('/engagement/') || config.rateLimit !== undefined;
  return [
    ...(input || write ? [400] : []),
    ...((api && config.public !== true) || route.url === '/metrics' ? [401] : []),
    ...(api ? [403] : []),
    ...(api && names ? [404] : []),
    ...(api && write ? [409] : []),
    ...(limited ? [429] : []),
    500,
  ];
}

/**
 * onRoute hook: gives each documented route the error envelope for exactly the failures it can
 * answer (failureStatuses), keeping the success schemas and any other status it declares itself.
 */
export function declareFailures(route: RouteShape): void {
  const schema = route.schema;
  if (schema === undefined || schema.hide === true) return;
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const response = Object.fromEntries(
    Object.entries(declared).filter(([status]) => !(status in FAILURE_STATUSES)),
  );
  for (const status of failureStatuses(route)) response[status] = ErrorEnvelope;
  schema.response = response;
}

/** The catalogue as a table, for the API reference. */
export const catalogueTable = () =>
  Object.entries(ERROR_CATALOGUE)
    .map(([kind, e]) => `| ${e.code} | ${e.http} | ${kind} | ${e.message} |`)
    .join('\n');
