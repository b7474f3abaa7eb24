import { describe, expect, it } from 'vitest';
import { CREDENTIAL_FIELDS } from '../../../src/domain/credential-fields.js';
import { CREDENTIAL_FEATURES, CREDENTIAL_KINDS } from '../../../src/domain/credentials.js';

// The console builds its forms from CREDENTIAL_FIELDS without TypeBox; the server checks bodies
// with CREDENTIAL_KINDS. Both say which fields are required and which exist: they must agree.
describe('credential kinds: the console forms and the server schemas', () => {
  for (const feature of CREDENTIAL_FEATURES) {
    const form = CREDENTIAL_FIELDS[feature];
    const body = CREDENTIAL_KINDS[feature].body;

    it(`${feature}: the form requires what the server requires`, () => {
      expect([...form.required].sort()).toEqual([...(body.required ?? [])].sort());
    });

    it(`${feature}: the form shows every field the server takes, the secret among them`, () => {
      expect(Object.keys(form.fields).sort()).toEqual(Object.keys(body.properties).sort());
      expect(Object.keys(body.properties)).toContain(form.secretField);
    });
  }
});
