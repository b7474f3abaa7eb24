import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';

/** The public half of the tenant's CAPTCHA set-up, for booking pages and the widget. */
export async function captchaConfigRoutes(
  fastify: FastifyInstance,
  { services }: { services: Services },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/captcha/config',
    {
      schema: {
        tags: ['captcha'],
        summary: 'Whether bookings need a CAPTCHA, and the provider and site key to show it',
        response: {
          200: envelope(
            Type.Object({
              required: Type.Boolean(),
              provider: Type.Optional(
                Type.Union([
                  Type.Literal('recaptcha'),
                  Type.Literal('hcaptcha'),
                  Type.Literal('turnstile'),
                ]),
              ),
              siteKey: Type.Optional(Type.String()),
            }),
          ),
        },
      },
    },
    async (request) => success(request.id, await services.captcha.publicConfig(tenantOf(request))),
  );
}
