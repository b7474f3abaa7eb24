import { Type } from 'typebox';

// GES accepts what its client libraries and their users write: booleans as "true"/"TRUE", and
// free-text reporting fields. These schemas take those forms; the helpers read them back.

/** A boolean, or the words true/false in any case (query strings, hand-written bodies). */
export const LenientBoolean = Type.Union([
  Type.Boolean(),
  Type.String({ pattern: '^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' }),
]);

/** The value of a LenientBoolean (undefined stays undefined). */
export function asBoolean(value: boolean | string | undefined): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return value.toLowerCase() === 'true';
}
