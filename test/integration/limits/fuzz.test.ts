import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../src/domain/errors.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import { describeEngines } from '../../helpers/engines.js';

type App = TestApp & { dropDatabase(): Promise<void> };

/** The parts of an OpenAPI 3.1 document the fuzzer reads. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
}
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface Route {
  method: string;
  path: string;
  op: Operation;
}

const CODES = new Set<number>(Object.values(ERROR_CATALOGUE).map((e) => e.code));
// Routes that are not the envelope's (probes, metrics text) or that would end the fuzzer's session.
const SKIP = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'POST /admin/v1/logout']);
const RUNS_PER_ROUTE = 30;

/** Text a client should never be able to hurt us with. */
const nasty = fc.constantFrom(
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  'NaN',
  '-0',
  '0x1F',
  '9007199254740993',
  '-1',
  '',
  ' ',
  '\u0000',
  '%00',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧',
  '../../etc/passwd',
  "'; drop table callbacks; --",
  'x'.repeat(5000),
  'support',
  '+12025550123',
  '2026-11-26T15:00:00Z',
  'true',
  'null',
);
const text = fc.oneof(
  nasty,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(2 ** 53 + 1, -1, 0, 1e300),
);

/** Values shaped like `schema` (so handlers are reached), with wrong types mixed in. */
function shaped(schema: JsonSchema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > 3) return scalar;
  if (schema.anyOf && schema.anyOf.length > 0) {
    return fc.oneof(...schema.anyOf.map((s) => shaped(s, depth)), scalar);
  }
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), scalar);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' && schema.properties) {
    const props: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, s] of Object.entries(schema.properties)) props[k] = shaped(s, depth + 1);
    return fc.oneof(
      { weight: 4, arbitrary: fc.record(props, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
  }
  if (type === 'array') return fc.array(shaped(schema.items, depth + 1), { maxLength: 4 });
  if (type === 'string') return fc.oneof({ weight: 3, arbitrary: text }, scalar);
  if (type === 'integer' || type === 'number') {
    return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 53 + 1, -1, 0), scalar);
  }
  if (type === 'boolean') return fc.oneof(fc.boolean(), scalar);
  return fc.jsonValue({ maxDepth: 3 });
}

/** A body as bytes with a content type: shaped JSON, non-finite numbers, deep nesting, junk. */
function bodies(schema: JsonSchema | undefined) {
  const json = (raw: string) => ({ raw, type: 'application/json' });
  const first = Object.keys(schema?.properties ?? { x: {} })[0] ?? 'x';
  return fc.oneof(
    { weight: 6, arbitrary: shaped(schema, 0).map((v) => json(JSON.stringify(v) ?? 'null')) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('1e309', '-1e309', `1${'0'.repeat(400)}`)
        .map((n) => json(`{"${first}":${n}}`)),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 30, max: 5000 })
        .map((d) => json(`{"${first}":${'['.repeat(d)}${']'.repeat(d)}}`)),
    },
    { weight: 1, arbitrary: fc.constant(json('{}')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map(json) },
    {
      weight: 1,
      arbitrary: fc.record({
        raw: fc.string({ maxLength: 60 }),
        type: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded'),
      }),
    },
  );
}

/** One request for `route`: path parameters, query and (where it takes one) a body. */
function requests(route: Route) {
  const params = route.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryParams = params.filter((p) => p.in === 'query').map((p) => p.name);
  const bodySchema = route.op.requestBody?.content?.['application/json']?.schema;
  return fc.record({
    path: fc.tuple(...pathParams.map(() => text), fc.constant('')),
    query: fc.array(
      fc.tuple(queryParams.length > 0 ? fc.constantFrom(...queryParams) : text, text),
      { maxLength: 4 },
    ),
    body: route.op.requestBody ? fc.option(bodies(bodySchema), { freq: 8 }) : fc.constant(null),
  });
}

describeEngines('fuzzing every route of /openapi.json', (engine) => {
  let t: App;
  let tenant: TestTenant;
  let routes: Route[];
  beforeAll(async () => {
    // Outbound calls (a credential test, a CAPTCHA check) fail fast instead of waiting.
    t = await startTestApp(engine, { env: { OUTBOUND_TIMEOUT_MS: '200' } });
    tenant = await t.tenant('acme');
    await t.services.tenantConfig.apply(
      { tenants: [{ id: 'acme', queues: [{ name: 'support' }] }] },
      'test',
    );
    const booked = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': tenant.keys.engagement },
      payload: { serviceName: 'support', phoneNumber: '+12025550123' },
    });
    expect(booked.res.statusCode).toBe(200);
    const doc = (await t.call({ method: 'GET', url: '/openapi.json' })).res.json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  /** Records no refused request may leave behind. */
  const counts = async () => {
    const db = t.services.store.db.kysely;
    const n = async (table: 'callbacks' | 'callback_events' | 'queues' | 'call_in_requests') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return [
      await n('callbacks'),
      await n('callback_events'),
      await n('queues'),
      await n('call_in_requests'),
    ];
  };

  const auth = (path: string): Record<string, string> => {
    if (path.startsWith('/engagement/')) return { 'x-api-key': tenant.keys.engagement };
    if (path.startsWith('/dispatch/')) return { 'x-api-key': tenant.keys.dispatch };
    if (path.startsWith('/admin/')) return { cookie: tenant.cookies.Administrator };
    return {};
  };

  it('never answers 500, always the envelope with a catalogue code, and writes nothing when refusing', async () => {
    const fuzzed = routes.filter((r) => !SKIP.has(`${r.method} ${r.path}`));
    expect(fuzzed.length).toBeGreaterThan(50);
    for (const route of fuzzed) {
      const writes = route.method !== 'GET';
      await fc.assert(
        fc.asyncProperty(requests(route), async (input) => {
          let i = 0;
          const url = route.path.replace(/\{[^}]+\}/g, () =>
            encodeURIComponent(input.path[i++] ?? ''),
          );
          const query = new URLSearchParams(input.query).toString();
          // A purge or bulk cancel accepted earlier runs on as a job: let it finish first, so
          // its writes are not taken for this request's.
          await t.services.adminJobs.idle();
          const before = writes ? await counts() : [];
          const { res } = await t.call({
            method: route.method,
            url: `${url}${query === '' ? '' : `?${query}`}`,
            headers: {
              ...auth(route.path),
              ...(input.body ? { 'content-type': input.body.type } : {}),
            },
            ...(input.body ? { payload: input.body.raw } : {}),
          });
          const what = `${route.method} ${url}?${query} ${input.body?.raw ?? ''}`.slice(0, 400);
          expect(res.statusCode, `${what} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          const type = String(res.headers['content-type'] ?? '');
          if (res.statusCode >= 400 || type.includes('json')) {
            const body = res.json<{ status?: { code?: number; corrId?: string } }>();
            expect(body.status?.corrId, what).toBe(res.headers['x-correlation-id']);
            const code = body.status?.code ?? -1;
            expect(code === 0 || CODES.has(code), `${what}: code ${code}`).toBe(true);
          }
          if (writes && res.statusCode >= 400) expect(await counts(), what).toEqual(before);
        }),
        { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    }
  }, 180_000);
});
