import { type Static, type TSchema, type TUnsafe, Type } from 'typebox';
import { isRecord } from './validation.js';

// JSON Merge Patch (RFC 7396): objects merge key by key, arrays and scalars replace, null removes.

/** What a merge patch of a `T` may hold: any field, nested objects partly, null to remove. */
export type MergePatch<T> = {
  [K in keyof T]?:
    | (NonNullable<T[K]> extends readonly unknown[]
        ? T[K]
        : NonNullable<T[K]> extends object
          ? MergePatch<NonNullable<T[K]>>
          : T[K])
    | null;
};

/** `patch` applied to `target`; `mergePatch({}, value)` drops every null field of `value`. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    // defineProperty keeps a "__proto__" key an own (and then rejected) field, not a prototype.
    else
      Object.defineProperty(out, key, {
        value: mergePatch(out[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function patchNode(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const rest = { ...node };
  delete rest.default;
  delete rest.required;
  if (rest.type !== 'object' || !isRecord(rest.properties)) return rest;
  const properties = Object.fromEntries(
    Object.entries(rest.properties).map(([key, value]) => [
      key,
      { anyOf: [patchNode(value), { type: 'null' }] },
    ]),
  );
  return { ...rest, properties };
}

/**
 * The schema of a merge patch of `schema`, derived from it: every field optional and nullable,
 * nested objects partial, defaults dropped (a patch leaves what it does not name).
 */
export function mergePatchSchema<S extends TSchema>(
  schema: S,
  options: { description?: string } = {},
): TUnsafe<MergePatch<Static<S>>> {
  return Type.Unsafe<MergePatch<Static<S>>>({ ...(patchNode(schema) as TSchema), ...options });
}
