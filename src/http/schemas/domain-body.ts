import type { FastifySchemaCompiler } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import type { Issues } from '../../domain/validation.js';

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
