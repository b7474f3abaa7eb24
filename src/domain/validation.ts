import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { AppError } from './errors.js';

// Settings documents are checked in two passes: their TypeBox schema (shape, ranges, patterns,
// unknown fields), then the rules JSON Schema cannot say (zones, overlaps, cross-field). Both
// passes report "path: problem" for every problem at once; the console shows each on its field.

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects "path: what is wrong" messages; `throwIfAny` raises them as one INVALID_PARAMETER. */
export class Issues {
  readonly list: string[] = [];

  /** Records one problem at a field path. */
  add(path: string, message: string): undefined {
    this.list.push(`${path}: ${message}`);
    return undefined;
  }

  /** Whether a problem was recorded at `path` or inside it. */
  touches(path: string): boolean {
    return this.list.some((m) => m.startsWith(path) && /^[:.[]/.test(m.slice(path.length)));
  }

  /** One INVALID_PARAMETER naming every recorded problem, or undefined when there is none. */
  error(): AppError | undefined {
    if (this.list.length === 0) return undefined;
    const shown = this.list.slice(0, 10);
    const more = this.list.length > shown.length ? `; and ${this.list.length - 10} more` : '';
    return new AppError('INVALID_PARAMETER', shown.join('; ') + more);
  }

  /** Throws error() when a problem was recorded. */
  throwIfAny(): void {
    const error = this.error();
    if (error) throw error;
  }
}

/** Joins a parent path and a key ("numberRule" + "blocked" → "numberRule.blocked"). */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A short rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  return `a value of type ${typeof value}`;
}

const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** The value at a JSON pointer ("/numberRule/blocked/0") inside `root`. */
function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointerSegments(pointer)) {
    node =
      isRecord(node) || Array.isArray(node)
        ? (node as Record<string, unknown>)[segment]
        : undefined;
  }
  return node;
}

/** Whether a schema on the way to `pointer` (the failing one included) is writeOnly. */
function secretAlong(schema: unknown, pointer: string): boolean {
  let node = schema;
  for (const segment of ['', ...pointerSegments(pointer)]) {
    if (segment !== '')
      node =
        isRecord(node) || Array.isArray(node)
          ? (node as Record<string, unknown>)[segment]
          : undefined;
    if (isRecord(node) && node.writeOnly === true) return true;
  }
  return false;
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** `base` + "/0/days" → "capacityRule[0].days". */
function pathOf(base: string, pointer: string): string {
  return pointerSegments(pointer).reduce<string>(
    (path, segment) => at(path, /^\d+$/.test(segment) ? Number(segment) : segment),
    base,
  );
}

/** What a schema node accepts, in words, for "…is not <that>" messages. */
function expected(node: Record<string, unknown>): string | undefined {
  if (typeof node.description === 'string') return node.description;
  // A nullable field (merge patches remove with null) is described by what it holds.
  if (Array.isArray(node.anyOf)) {
    const words = node.anyOf
      .filter((branch) => isRecord(branch) && branch.type !== 'null')
      .map((branch) => (isRecord(branch) ? expected(branch) : undefined));
    return words.every((w) => w !== undefined) ? words.join(' or ') : undefined;
  }
  if (node.type === 'integer') {
    const { minimum: min, maximum: max } = node;
    return `an integer from ${String(min)} to ${String(max)}`;
  }
  if (node.type === 'boolean') return 'true or false';
  if (node.type === 'string') {
    const { minLength = 0, maxLength } = node;
    return `a string of ${String(minLength)} to ${String(maxLength)} characters`;
  }
  return undefined;
}

/** Records the problems `validator` finds in `value` (which sits at `base`). */
function report(schema: TSchema, value: unknown, base: string, issues: Issues): void {
  const validator = validatorOf(schema);
  const outermost = new Map<string, { schemaPath: string; keyword: string; message: string }>();
  const unknown = new Set<string>();
  for (const error of validator.Errors(value)) {
    const path = pathOf(base, error.instancePath);
    // An unknown key fails `additionalProperties: false` at its own path (and the object lists
    // it again): both name it once, whichever TypeBox's bound on errors kept.
    if (error.keyword === 'additionalProperties') {
      for (const key of error.params.additionalProperties) unknown.add(at(path, key));
    } else if (error.schemaPath.endsWith('/additionalProperties')) {
      unknown.add(path);
    } else if (error.keyword === 'required') {
      for (const key of error.params.requiredProperties) issues.add(at(path, key), 'is required');
    } else {
      const seen = outermost.get(path);
      if (!seen || error.schemaPath.length < seen.schemaPath.length) {
        const node = valueAt(schema, error.schemaPath.slice(1));
        const wanted = isRecord(node) ? expected(node) : undefined;
        // A secret (writeOnly) is never quoted back: error messages are logged.
        const got = secretAlong(schema, error.schemaPath.slice(1))
          ? 'a secret'
          : describe(valueAt(value, error.instancePath));
        const message = wanted ? `must be ${wanted} (got ${got})` : `${error.message} (got ${got})`;
        outermost.set(path, { schemaPath: error.schemaPath, keyword: error.keyword, message });
      }
    }
  }
  for (const path of unknown) issues.add(path, 'unknown field');
  // A union ("an object or null") says nothing more when a field inside it is already named.
  const found = [...outermost].sort(
    ([, a], [, b]) => Number(a.keyword === 'anyOf') - Number(b.keyword === 'anyOf'),
  );
  for (const [path, { keyword, message }] of found) {
    if (keyword !== 'anyOf' || !issues.touches(path)) issues.add(path, message);
  }
}

const shapes = new WeakMap<TSchema, TSchema>();

/** An object schema's own rules (which fields, which required) without its fields' schemas. */
function shapeOf(schema: TSchema, properties: Record<string, unknown>): TSchema {
  let shape = shapes.get(schema);
  if (!shape) {
    const { required, additionalProperties } = schema as Record<string, unknown>;
    shape = {
      type: 'object',
      properties: Object.fromEntries(Object.keys(properties).map((key) => [key, {}])),
      ...(required !== undefined && { required }),
      ...(additionalProperties !== undefined && { additionalProperties }),
    };
    shapes.set(schema, shape);
  }
  return shape;
}

/**
 * Checks `value` against `schema`, recording each problem once at the path of the field it
 * concerns: the outermost failing schema per field (a union says what it accepts, not each
 * branch), unknown and missing fields by name. An object is checked field by field, so TypeBox's
 * bound on errors per check (8) applies to each field and every bad field is named. True when the
 * value matches.
 */
/** Whether `value` matches `schema` (no problems recorded). */
export function matches<S extends TSchema>(schema: S, value: unknown): value is Static<S> {
  return validatorOf(schema).Check(value);
}

export function checkSchema<S extends TSchema>(
  schema: S,
  value: unknown,
  issues: Issues,
): value is Static<S> {
  const validator = validatorOf(schema);
  if (validator.Check(value)) return true;
  const properties = (schema as { properties?: unknown }).properties;
  if (!isRecord(value) || !isRecord(properties)) {
    report(schema, value, '', issues);
    return false;
  }
  report(shapeOf(schema, properties), value, '', issues);
  for (const [key, field] of Object.entries(value)) {
    const fieldSchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (fieldSchema) report(fieldSchema, field, key, issues);
  }
  return false;
}
