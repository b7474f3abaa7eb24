import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';

/** Server-side CAPTCHA verification with the tenant's CAPTCHA credential. */
export async function captchaRoutes(
  fastify: FastifyInstance,
  { services }: { services: Services },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/captcha/verify',
    {
      schema: {
        tags: ['captcha'],
        summary: "Verify a browser's CAPTCHA token (each token verifies once)",
        body: Type.Object({
          siteKey: Type.String({ minLength: 1, maxLength: 256 }),
          captchaToken: Type.String({ maxLength: 8192 }),
        }),
        response: {
          200: envelope(
            Type.Object({ success: Type.Boolean(), errorCodes: Type.Array(Type.String()) }),
          ),
        },
      },
    },
    async (request) => {
      const { siteKey, captchaToken } = request.body;
      return success(
        request.id,
        await services.captcha.verify(tenantOf(request), siteKey, captchaToken),
      );
    },
  );
}
