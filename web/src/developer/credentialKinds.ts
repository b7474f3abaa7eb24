// The fields of each integration credential, read from the server's own schemas
// (src/domain/credential-fields.ts, plain objects): labels, hints, which field is the secret, the choices of a select.
import {
  CREDENTIAL_FIELDS,
  type CredentialFeature,
} from '../../../src/domain/credential-fields.js';
import type { CredentialView as ServerCredentialView } from '../../../src/domain/credentials.js';

export type { CredentialFeature };

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'url' | 'number' | 'textarea' | 'select';
  options?: readonly string[];
  required?: boolean;
  /** Write-only: never shown again once stored. */
  secret?: boolean;
  hint?: string;
}

export interface CredentialKind {
  feature: CredentialFeature;
  title: string;
  fields: readonly FieldSpec[];
}

/** The JSON Schema annotations a form field is built from. */
interface FieldSchema {
  type?: string;
  title?: string;
  description?: string;
  enum?: readonly string[];
  format?: string;
  writeOnly?: boolean;
  contentMediaType?: string;
}

function kindOf(schema: FieldSchema): FieldSpec['kind'] {
  if (schema.enum) return 'select';
  if (schema.contentMediaType) return 'textarea';
  if (schema.format === 'uri') return 'url';
  return schema.type === 'number' ? 'number' : 'text';
}

function kind(feature: CredentialFeature): CredentialKind {
  const { title, fields: properties, required } = CREDENTIAL_FIELDS[feature];
  const fields = Object.entries(properties as Record<string, FieldSchema>).map(
    ([name, schema]): FieldSpec => {
      const secret = schema.writeOnly === true;
      const needed = (required as readonly string[]).includes(name);
      const optional = !needed && !secret;
      const hints = [optional ? 'optional' : undefined, schema.description].filter(Boolean);
      return {
        name,
        label: schema.title ?? name,
        kind: kindOf(schema),
        ...(schema.enum && { options: schema.enum }),
        ...(needed && { required: true }),
        ...(secret && { secret: true }),
        ...(hints.length > 0 && { hint: hints.join(', ') }),
      };
    },
  );
  return { feature, title, fields };
}

export const STATISTICS = kind('statistics');
export const FCM = kind('push-fcm');
export const APNS = kind('push-apns');
export const CAPTCHA = kind('captcha');

/** A registered credential as reads show it: never the secret, only its fingerprint. */
export type CredentialView = ServerCredentialView;
