import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.js';

interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema?: { default?: unknown } }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

// Actions that take nothing but their path (or the session cookie): a body would be refused.
const BODILESS = new Set([
  'POST /admin/v1/logout',
  'POST /admin/v1/tenant-config/refetch',
  'POST /admin/v1/callbacks/{id}/cancel',
  'POST /admin/v1/queues/{name}/purge',
  'POST /dispatch/v1/callbacks/{id}/start',
  'POST /dispatch/v1/callbacks/{id}/release',
]);
const WRITES = new Set(['post', 'put', 'patch']);
// What a response may show only in the answer that creates it, or never (a private key's id
// names the key without revealing it).
const SECRET_FIELD = /hash|^password$|secretKey|clientSecret|privateKey(?!Id)|serviceAccount/i;

/** Every property name of a JSON schema, at any depth. */
function propertyNames(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  return Object.entries(schema as Record<string, unknown>).flatMap(([key, value]) =>
    key === 'properties' && typeof value === 'object' && value !== null
      ? [...Object.keys(value), ...Object.values(value).flatMap(propertyNames)]
      : propertyNames(value),
  );
}

describe('the OpenAPI document', () => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let operations: { name: string; method: string; path: string; op: Operation }[];

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const { res } = await t.call({ method: 'GET', url: '/openapi.json' });
    const paths = res.json<{ paths: Paths }>().paths;
    operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        name: `${method.toUpperCase()} ${path}`,
        method,
        path,
        op,
      })),
    );
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  const offenders = (test: (o: (typeof operations)[number]) => boolean) =>
    operations.filter((o) => test(o)).map((o) => o.name);

  it('has a response schema for every success status of every operation', () => {
    expect(operations.length).toBeGreaterThan(60);
    const missing = offenders(({ op }) => {
      const success = Object.entries(op.responses ?? {}).filter(([s]) => s.startsWith('2'));
      return (
        success.length === 0 ||
        success.some(([, r]) => Object.values(r.content ?? {}).every((c) => !c.schema))
      );
    });
    expect(missing, `operations without a success response schema:\n${missing.join('\n')}`).toEqual(
      [],
    );
  });

  it('describes the input of every operation: path parameters and write bodies', () => {
    const missing = offenders(({ method, path, name, op }) => {
      const params = new Set(
        (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      );
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
      const bodyWanted = WRITES.has(method) && !BODILESS.has(name);
      return inPath.some((p) => !params.has(p)) || bodyWanted !== (op.requestBody !== undefined);
    });
    expect(missing, `operations whose input is not described:\n${missing.join('\n')}`).toEqual([]);
  });

  it('lists 409 only on writes and 429 only where limits apply', () => {
    const dishonest = offenders(({ method, path, op }) => {
      const statuses = Object.keys(op.responses ?? {});
      const limited = path.startsWith('/engagement/') || path === '/admin/v1/login';
      return (
        (method === 'get' && statuses.includes('409')) || (!limited && statuses.includes('429'))
      );
    });
    expect(
      dishonest,
      `operations listing failures they cannot give:\n${dishonest.join('\n')}`,
    ).toEqual([]);
  });

  it('shows no stored secret in any response', () => {
    const leaking = offenders(({ op }) =>
      propertyNames(op.responses).some((name) => SECRET_FIELD.test(name)),
    );
    expect(leaking, `responses naming a secret:\n${leaking.join('\n')}`).toEqual([]);
  });

  it('documents an input with a default as optional (the service fills it in)', () => {
    const claim = operations.find((o) => o.name === 'POST /dispatch/v1/claim');
    const body = claim?.op.requestBody?.content?.['application/json']?.schema as
      { required?: string[] } | undefined;
    expect(body?.required ?? []).not.toContain('waitSeconds');
    const demanded = operations.flatMap(({ name, op }) =>
      (op.parameters ?? [])
        .filter((p) => p.required === true && p.schema?.default !== undefined)
        .map((p) => `${name} ${p.name}`),
    );
    expect(demanded, `parameters with a default marked required:\n${demanded.join('\n')}`).toEqual(
      [],
    );
  });
});
