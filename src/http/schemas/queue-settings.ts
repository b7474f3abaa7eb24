import type { FastifySchemaCompiler } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Issues } from '../../domain/validation.js';
import { checkQueueSettingsPatch } from '../../domain/queue-settings.js';

// The settings schemas live in domain/ (TypeBox is a pure library), where the services and the
// tenant configuration check the same documents; the routes take them from here.
export { QueueSettings, QueueSettingsPatch } from '../../domain/queue-settings.js';
export { checkQueueSettingsPatch };

/** A queue (callback service) name in a path. Shared primitive, to merge with ServiceName. */
export const QueueNameParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
});

/**
 * A route validator whose body check is the domain's (`check`): every problem at once, as
 * "path: problem; …" in one 40001, the form the console shows on each field. Other parts of the
 * request are checked against their schema as usual.
 */
export function domainBodyValidator(
  check: (body: unknown) => Issues,
): FastifySchemaCompiler<TSchema> {
  return (route) => {
    if (route.httpPart !== 'body') return TypeBoxValidatorCompiler(route);
    return (body: unknown) => {
      const error = check(body).error();
      return error ? { error } : { value: body };
    };
  };
}
