import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const HEADER = 'x-correlation-id';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses a client's well-formed correlation ID, or mints one. */
export function correlationId(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTABLE.test(header) ? header : crypto.randomUUID();
}

/** Every response carries its correlation ID in the `x-correlation-id` header. */
export function registerCorrelation(app: FastifyInstance): void {
  // Synchronous (a callback, not a promise): every request of every route passes here.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(HEADER, request.id);
    // Every answer is typed; never let a browser guess another type.
    reply.header('x-content-type-options', 'nosniff');
    done();
  });
}

export const CORRELATION_HEADER = HEADER;
