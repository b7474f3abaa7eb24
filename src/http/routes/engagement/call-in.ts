import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { tenantOf } from '../../plugins/auth.js';
import { envelope, success } from '../../envelope.js';
import { CallInRequest } from '../../schemas/call-in.js';
import { GroupName, PhoneNumber, ServiceName } from '../../schemas/common.js';

/** Click-to-call-in: hold a number (and access code) for a customer, and match the call. */
export async function callInRoutes(fastify: FastifyInstance, { services }: { services: Services }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['call-in'];

  app.post(
    '/call-in/requests/create',
    {
      schema: {
        tags,
        summary: 'Get a number (and access code) of a call-in group for a customer to call',
        body: Type.Object({
          groupName: GroupName,
          fromPhoneNumber: Type.Optional(PhoneNumber),
          userData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          callbackServiceId: Type.Optional(ServiceName),
        }),
        response: { 200: envelope(CallInRequest) },
      },
    },
    async (request) =>
      success(request.id, await services.callIn.createRequest(tenantOf(request), request.body)),
  );

  app.post(
    '/call-in/requests/match',
    {
      schema: {
        tags,
        summary:
          'For an IVR: the live request a call is about (once; it is consumed), with its userData and callback',
        body: Type.Object({
          toPhoneNumber: PhoneNumber,
          accessCode: Type.Optional(
            Type.Union([Type.String({ maxLength: 16 }), Type.Integer({ minimum: 0 })]),
          ),
          fromPhoneNumber: Type.Optional(PhoneNumber),
        }),
        response: {
          200: envelope(
            Type.Object({
              ...CallInRequest.properties,
              userData: Type.Record(Type.String(), Type.String()),
              callback: Type.Optional(
                Type.Object({
                  id: Type.String(),
                  serviceName: Type.String(),
                  callbackState: Type.String(),
                  phoneNumber: Type.String(),
                  desiredTime: Type.String(),
                }),
              ),
            }),
          ),
        },
      },
    },
    async (request) => {
      const { accessCode, ...rest } = request.body;
      const code = accessCode === undefined ? {} : { accessCode: String(accessCode) };
      return success(
        request.id,
        await services.callIn.matchRequest(tenantOf(request), { ...rest, ...code }),
      );
    },
  );
}
