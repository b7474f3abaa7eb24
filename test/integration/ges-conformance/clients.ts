/**
 * What Genesys' official Engagement clients put on the wire and what their models accept back,
 * written from reading engagement-client-js 9.0.84 (src/ApiClient.js, src/api, src/model) and
 * engagement-client-java 9.0.76 (model/*.java, common/ApiClient.java, common/JSON.java), and
 * checked by running the JS client against a local echo server. No client code is copied here.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from '../../helpers/app.js';

/** The sentence CreateCallbackParms carries as its cbOfferType default, in both clients. */
export const CB_OFFER_TYPE_DEFAULT =
  'ASAP if the request does not include the desiredTime parameter and SCHEDULED if the request includes the desiredTime parameter.';

/** Headers of every engagement-client-js call (superagent 3.7.0; GETs carry the content type too). */
export const jsHeaders = (apiKey: string) => ({
  'accept-encoding': 'gzip, deflate',
  'user-agent': 'node-superagent/3.7.0',
  'x-api-key': apiKey,
  'content-type': 'application/json',
  accept: 'application/json',
});

/** Headers of every engagement-client-java call (okhttp; a String body adds the charset). */
export const javaHeaders = (apiKey: string) => ({
  'user-agent': 'Swagger-Codegen/1.0.0/java',
  'x-api-key': apiKey,
  'content-type': 'application/json; charset=utf-8',
  accept: 'application/json',
});

/**
 * The JSON text engagement-client-js sends for `new CreateCallbackParms()` with `fields` set:
 * superagent copies the model's enumerable properties, its own first, then the prototype's
 * defaults (cbOfferType and language; the other defaults are undefined and dropped by JSON).
 */
export function jsCreateBody(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...fields, cbOfferType: CB_OFFER_TYPE_DEFAULT, language: 'en-US' });
}

/**
 * The JSON text engagement-client-java sends for a CreateCallbackParms (Gson: declaration order,
 * nulls left out, field initialisers as defaults, OffsetDateTime as ISO_OFFSET_DATE_TIME).
 */
export function javaCreateBody(fields: {
  serviceName: string;
  phoneNumber: string;
  desiredTime?: string;
  priority?: number;
  userData?: Record<string, unknown>;
  alwaysCheckCapacity?: boolean;
}): string {
  const { serviceName, phoneNumber, desiredTime, priority, userData, alwaysCheckCapacity } = fields;
  return JSON.stringify({
    serviceName,
    phoneNumber,
    ...(desiredTime === undefined ? {} : { desiredTime }),
    cbOfferType: CB_OFFER_TYPE_DEFAULT,
    language: 'en-US',
    ...(priority === undefined ? {} : { priority }),
    ...(userData === undefined ? {} : { userData }),
    ...(alwaysCheckCapacity === undefined ? {} : { alwaysCheckCapacity }),
  });
}

/** Query text as superagent writes it: each value through encodeURIComponent, in key order. */
export function jsQuery(params: Record<string, string | number | boolean | undefined>): string {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined);
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}

/** A call through the real HTTP stack; the body parsed as JSON. */
export async function wire(
  t: TestApp,
  opts: InjectOptions,
): Promise<{ res: LightMyRequestResponse; json: Record<string, unknown> }> {
  const res = await t.app.inject(opts);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  return { res, json: res.json<Record<string, unknown>>() };
}

// ---- What the clients' models accept (Gson for Java is the stricter reader) ----

/** java.util.UUID.fromString, as the Java client reads every callback and call-in id. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** UUIDv7: version 7, RFC 9562 variant. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** OffsetDateTime.parse with ISO_OFFSET_DATE_TIME: an offset or "Z" is required. */
const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

type Kind = 'String' | 'UUID' | 'OffsetDateTime' | 'BigDecimal' | 'Boolean' | 'HashData';

function expectKind(value: unknown, kind: Kind, path: string): void {
  const why = `${path} must read as ${kind}: ${JSON.stringify(value)}`;
  switch (kind) {
    case 'String':
      expect(typeof value, why).toBe('string');
      return;
    case 'UUID':
      expect(value, why).toMatch(UUID);
      return;
    case 'OffsetDateTime':
      expect(value, why).toMatch(OFFSET_DATE_TIME);
      expect(Number.isNaN(Date.parse(String(value))), why).toBe(false);
      return;
    case 'BigDecimal':
      // JS converts with parseFloat, Java with new BigDecimal: a JSON number is what both keep.
      expect(typeof value, why).toBe('number');
      return;
    case 'Boolean':
      expect(typeof value, why).toBe('boolean');
      return;
    case 'HashData':
      // HashMap<String, String>: an object (an array throws in Gson) of string values.
      expect(typeof value === 'object' && value !== null && !Array.isArray(value), why).toBe(true);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        expect(typeof v, `${path}.${k} must be a string`).toBe('string');
      }
      return;
  }
}

/** A model: its fields and their Java types; `required` ones must be present. */
export interface Model {
  readonly fields: Readonly<Record<string, Kind>>;
  readonly required?: readonly string[];
}

/** Asserts `value` parses into `model` the way both clients read it. */
export function expectModel(value: unknown, model: Model, path = 'data'): void {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), path).toBe(true);
  const record = value as Record<string, unknown>;
  for (const name of model.required ?? []) expect(record, `${path}.${name}`).toHaveProperty(name);
  for (const [name, kind] of Object.entries(model.fields)) {
    if (record[name] !== undefined) expectKind(record[name], kind, `${path}.${name}`);
  }
}

/** The status block of every response (SuccessStatus200 and the error statuses alike). */
export const Status: Model = {
  fields: { code: 'BigDecimal', message: 'String', corrId: 'String' },
  required: ['code', 'message', 'corrId'],
};
export const CreateCallbackData: Model = { fields: { id: 'UUID' }, required: ['id'] };
export const CancelCallbackData: Model = { fields: { id: 'UUID' }, required: ['id'] };
export const Callback: Model = {
  fields: {
    id: 'UUID',
    desiredTime: 'OffsetDateTime',
    callbackState: 'String',
    callbackReason: 'String',
    phoneNumber: 'String',
    positionInQueue: 'BigDecimal',
    estimatedWaitTime: 'BigDecimal',
  },
  required: ['id', 'desiredTime', 'callbackState', 'phoneNumber'],
};
export const ProposedSlots: Model = { fields: { slots: 'HashData' }, required: ['slots'] };
export const Availabilities: Model = {
  fields: { durationMin: 'BigDecimal', timezone: 'String' },
  required: ['slots', 'durationMin', 'timezone'],
};
export const Slot: Model = {
  fields: {
    utcTime: 'OffsetDateTime',
    localTime: 'OffsetDateTime',
    capacity: 'BigDecimal',
    total: 'BigDecimal',
  },
  required: ['utcTime', 'localTime', 'capacity', 'total'],
};
export const OpenForData: Model = { fields: { openFor: 'BigDecimal' }, required: ['openFor'] };
export const QueueStatus: Model = {
  fields: {
    ewt: 'BigDecimal',
    offerImmediateCallback: 'Boolean',
    offerScheduledCallback: 'Boolean',
  },
  required: ['ewt', 'offerImmediateCallback', 'offerScheduledCallback'],
};
export const EstimatedWaitTime: Model = {
  fields: {
    virtualQueue: 'String',
    estimatedWaitTime: 'BigDecimal',
    message: 'String',
    resultCode: 'BigDecimal',
  },
  required: ['virtualQueue', 'estimatedWaitTime', 'resultCode'],
};
export const CallInRequest: Model = {
  fields: {
    id: 'UUID',
    toPhoneNumber: 'String',
    groupName: 'String',
    expirationTime: 'BigDecimal',
    accessCode: 'BigDecimal',
    fromPhoneNumber: 'String',
    callbackServiceId: 'UUID',
  },
  required: ['id', 'toPhoneNumber', 'groupName', 'expirationTime'],
};
export const NotificationPublish: Model = { fields: { name: 'String' }, required: ['name'] };

/** A success envelope whose data parses into `model`. */
export function expectSuccess(json: Record<string, unknown>, model?: Model): void {
  expectModel(json.status, Status, 'status');
  expect((json.status as { code: number }).code).toBe(0);
  if (model) expectModel(json.data, model);
}

/** An error envelope the clients parse (status block; a 429 also `data` as ProposedSlots). */
export function expectError(
  res: LightMyRequestResponse,
  json: Record<string, unknown>,
  http: number,
  code: number,
): void {
  expect(res.statusCode, JSON.stringify(json)).toBe(http);
  expectModel(json.status, Status, 'status');
  expect((json.status as { code: number }).code).toBe(code);
  if (http === 429) expectModel(json.data, ProposedSlots, 'data');
}
