import type { FastifySchema } from 'fastify';

type JsonSchema = { [key: string]: unknown };

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The same schema, with every property that has a default left out of `required` (at any depth):
 * the validator fills it in, so a client may omit it, and generated clients must not demand it.
 */
function defaultsOptional(schema: unknown): unknown {
  if (!isObject(schema) || !isObject(schema.properties)) return schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, sub]) => [name, defaultsOptional(sub)]),
  );
  const hasDefault = (name: unknown) => {
    const property = typeof name === 'string' ? properties[name] : undefined;
    return isObject(property) && 'default' in property;
  };
  const required = Array.isArray(schema.required)
    ? schema.required.filter((name) => !hasDefault(name))
    : undefined;
  return { ...schema, properties, ...(required === undefined ? {} : { required }) };
}

/** @fastify/swagger's route transform: request inputs with defaults are documented as optional. */
export function documentedSchema({ schema, url }: { schema: FastifySchema; url: string }) {
  if (!isObject(schema)) return { schema, url };
  const documented: FastifySchema = { ...schema };
  for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
    if (schema[part] !== undefined) documented[part] = defaultsOptional(schema[part]);
  }
  return { schema: documented, url };
}
