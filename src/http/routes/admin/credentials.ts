import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { checkFeature } from '../../../services/credential-kinds.js';
import { actorOf, tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import {
  CredentialBody,
  CredentialView,
  DraftBody,
  FeatureParams,
  credentialBodyValidator,
  draftBodyValidator,
} from '../../schemas/credentials.js';
import type { AdminOptions } from './index.js';
import { DEVELOPERS } from './roles.js';

/** Credential Management (Developer tab): register, update, remove and test; secrets write-only. */
export async function credentialRoutes(fastify: FastifyInstance, { services }: AdminOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const config = { roles: DEVELOPERS };
  const tags = ['credentials'];

  app.get(
    '/credentials',
    {
      config,
      schema: {
        tags,
        summary: 'Registered credentials: non-secret fields and a fingerprint of the secret',
        response: {
          200: envelope(Type.Object({ items: Type.Array(CredentialView) })),
        },
      },
    },
    async (request) =>
      success(request.id, { items: await services.credentials.list(tenantOf(request)) }),
  );

  app.get(
    '/credentials/:feature',
    {
      config,
      schema: {
        tags,
        summary: 'One credential (never its secret)',
        params: FeatureParams,
        response: { 200: envelope(CredentialView) },
      },
    },
    async (request) =>
      success(
        request.id,
        await services.credentials.get(tenantOf(request), checkFeature(request.params.feature)),
      ),
  );

  app.route({
    method: ['PUT', 'POST'],
    url: '/credentials/:feature',
    config,
    schema: {
      tags,
      summary:
        "Register or update a credential (the body is the path's kind); leave the secret out " +
        'to keep the stored one',
      params: FeatureParams,
      body: CredentialBody,
      response: { 200: envelope(CredentialView) },
    },
    validatorCompiler: credentialBodyValidator,
    handler: async (request) =>
      success(
        request.id,
        await services.credentials.save(
          actorOf(request),
          checkFeature(request.params.feature),
          request.body,
        ),
      ),
  });

  app.delete(
    '/credentials/:feature',
    {
      config,
      schema: {
        tags,
        summary: 'Remove a credential',
        params: FeatureParams,
        response: {
          200: envelope(Type.Object({ feature: Type.String(), removed: Type.Literal(true) })),
        },
      },
    },
    async (request) => {
      const feature = checkFeature(request.params.feature);
      await services.credentials.remove(actorOf(request), feature);
      return success(request.id, { feature, removed: true });
    },
  );

  app.post(
    '/credentials/:feature/test',
    {
      config,
      schema: {
        tags,
        summary:
          'Try the stored credential against its provider (push: with deviceToken, a test notification is sent)',
        params: FeatureParams,
        body: Type.Optional(
          Type.Object({
            deviceToken: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
          }),
        ),
        response: {
          200: envelope(Type.Object({ ok: Type.Boolean(), message: Type.String() })),
        },
      },
    },
    async (request) => {
      const result = await services.credentials.test(
        tenantOf(request),
        checkFeature(request.params.feature),
        request.body?.deviceToken,
      );
      return success(request.id, result);
    },
  );

  app.post(
    '/credentials/:feature/test-draft',
    {
      config,
      schema: {
        tags,
        summary:
          'Try a credential as typed, before saving it (nothing is stored; a secret left out is the stored one)',
        params: FeatureParams,
        body: DraftBody,
        response: {
          200: envelope(Type.Object({ ok: Type.Boolean(), message: Type.String() })),
        },
      },
      validatorCompiler: draftBodyValidator,
    },
    async (request) => {
      const result = await services.credentials.testDraft(
        tenantOf(request),
        checkFeature(request.params.feature),
        request.body.credential,
        request.body.deviceToken,
      );
      return success(request.id, result);
    },
  );

  app.get(
    '/captcha-settings',
    {
      config,
      schema: {
        tags,
        summary: 'Whether bookings need a solved CAPTCHA',
        response: {
          200: envelope(Type.Object({ captchaRequired: Type.Boolean() })),
        },
      },
    },
    async (request) =>
      success(request.id, {
        captchaRequired: await services.captcha.isRequired(tenantOf(request)),
      }),
  );

  app.put(
    '/captcha-settings',
    {
      config,
      schema: {
        tags,
        summary:
          '"CAPTCHA required" on or off (on needs a registered CAPTCHA credential whose test passes)',
        body: Type.Object({ captchaRequired: Type.Boolean() }),
        response: {
          200: envelope(Type.Object({ captchaRequired: Type.Boolean() })),
        },
      },
    },
    async (request) =>
      success(
        request.id,
        await services.captcha.setRequired(actorOf(request), request.body.captchaRequired),
      ),
  );
}
