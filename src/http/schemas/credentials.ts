import { Type, type TSchema } from 'typebox';
import { Issues, checkSchema } from '../../domain/validation.js';
import { CREDENTIAL_FEATURES, CredentialBody } from '../../domain/credentials.js';
import { domainBodyValidator } from './domain-body.js';

// The credential schemas live in domain/ (TypeBox is a pure library): the service checks a body
// against its kind's schema, and the console builds its forms from the same schemas.
export { CredentialBody, CredentialView } from '../../domain/credentials.js';

export const FeatureParams = Type.Object({
  feature: Type.String({ description: CREDENTIAL_FEATURES.join(' | '), maxLength: 32 }),
});

/** Where a credential body sits in a request: any object here, its kind's schema in the service. */
const AnyCredential = Type.Record(Type.String(), Type.Unknown());

export const DraftBody = Type.Object({
  credential: CredentialBody,
  deviceToken: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
});

/**
 * The path names the kind, so the service checks a credential against that kind's schema (and
 * names the bad field); the route checks the rest of the body, with `credential` any object.
 */
function credentialValidator(shape: TSchema) {
  return domainBodyValidator((body) => {
    const issues = new Issues();
    checkSchema(shape, body, issues);
    return issues;
  });
}

export const credentialBodyValidator = credentialValidator(AnyCredential);
export const draftBodyValidator = credentialValidator(
  Type.Object({ ...DraftBody.properties, credential: AnyCredential }),
);
