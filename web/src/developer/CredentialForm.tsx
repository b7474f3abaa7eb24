import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';
import { formatInZone } from '../time.js';
import { useZone } from '../zone.js';
import type { CredentialKind, CredentialView, FieldSpec } from './credentialKinds.js';

interface Props {
  kind: CredentialKind;
  stored: CredentialView | undefined;
  onChanged: () => void;
}

function initialValues(kind: CredentialKind, stored: CredentialView | undefined) {
  const values: Record<string, string> = {};
  const settings: Record<string, unknown> = stored?.settings ?? {};
  for (const f of kind.fields) {
    const v = f.secret ? undefined : settings[f.name];
    values[f.name] =
      typeof v === 'string' || typeof v === 'number' ? String(v) : (f.options?.[0] ?? '');
  }
  return values;
}

function Field({
  spec,
  value,
  stored,
  onChange,
}: {
  spec: FieldSpec;
  value: string;
  stored: boolean;
  onChange: (v: string) => void;
}) {
  const placeholder = spec.secret && stored ? 'stored; leave empty to keep it' : spec.hint;
  const common = { name: spec.name, value, placeholder, onChange };
  const required = spec.required === true || (spec.secret === true && !stored);
  let input;
  if (spec.kind === 'select') {
    input = (
      <select name={spec.name} value={value} onChange={(e) => onChange(e.target.value)}>
        {spec.options?.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    );
  } else if (spec.kind === 'textarea') {
    input = (
      <textarea
        {...common}
        rows={4}
        required={required}
        spellCheck={false}
        className="mono"
        onChange={(e) => common.onChange(e.target.value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type={spec.secret ? 'password' : spec.kind === 'number' ? 'number' : spec.kind}
        step={spec.kind === 'number' ? 'any' : undefined}
        required={required}
        autoComplete={spec.secret ? 'new-password' : 'off'}
        onChange={(e) => common.onChange(e.target.value)}
      />
    );
  }
  return (
    <label>
      {spec.label}
      {spec.secret && <span className="muted small"> (write-only)</span>}
      {input}
    </label>
  );
}

/** Register, update, remove and test one kind of credential; secrets are never shown back. */
export function CredentialForm({ kind, stored, onChanged }: Props) {
  const [values, setValues] = useState(() => initialValues(kind, stored));
  const [result, setResult] = useState<{ ok: boolean; message: string } | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [deviceToken, setDeviceToken] = useState('');
  const isPush = kind.feature === 'push-fcm' || kind.feature === 'push-apns';
  const action = useAction();
  const zone = useZone();
  const [testing, setTesting] = useState(false);
  const path = `/credentials/${kind.feature}`;

  /** The form as a credential body (empty boxes left out: an empty secret keeps the stored one). */
  const draftBody = () => {
    const body: Record<string, unknown> = {};
    for (const f of kind.fields) {
      const v = (values[f.name] ?? '').trim();
      if (v === '') continue;
      body[f.name] = f.kind === 'number' ? Number(v) : v;
    }
    return body;
  };
  const edited = JSON.stringify(values) !== JSON.stringify(initialValues(kind, stored));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = draftBody();
    setResult(undefined);
    const ok = await action.run(() => api(path, { method: 'PUT', body }));
    if (ok) {
      setSaved(stored ? 'Credential updated.' : 'Credential registered.');
      setValues((v) =>
        Object.fromEntries(
          Object.entries(v).map(([k, x]) => [
            k,
            kind.fields.find((f) => f.name === k)?.secret ? '' : x,
          ]),
        ),
      );
      onChanged();
    }
  };
  const remove = async () => {
    const ok = await action.run(() => api(path, { method: 'DELETE' }));
    if (ok) {
      setSaved('Credential removed.');
      onChanged();
    }
  };
  /** Tests the stored credential, or (draft) the form as typed without saving it. */
  const test = async (draft: boolean) => {
    setResult(undefined);
    setTesting(true);
    const device = deviceToken.trim() === '' ? {} : { deviceToken: deviceToken.trim() };
    const r = await action.run(() =>
      api<{ ok: boolean; message: string }>(draft ? `${path}/test-draft` : `${path}/test`, {
        body: draft ? { credential: draftBody(), ...device } : device,
      }),
    );
    setTesting(false);
    if (r) setResult(r);
  };

  return (
    <form className="card form" onSubmit={(e) => void save(e)} aria-label={kind.title}>
      <h3>{kind.title}</h3>
      <p className="muted small">
        {stored
          ? `Registered · secret fingerprint ${stored.fingerprint} · updated ${formatInZone(stored.updatedAt, zone)}`
          : 'Not registered yet: fill in the fields, try them with "Test before saving", then Register.'}
      </p>
      {kind.fields.map((f) => (
        <Field
          key={f.name}
          spec={f}
          stored={stored !== undefined}
          value={values[f.name] ?? ''}
          onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
        />
      ))}
      {stored && isPush && (
        <label>
          Device token for the test{' '}
          <span className="muted small">(optional: sends a real test notification)</span>
          <input
            value={deviceToken}
            onChange={(e) => setDeviceToken(e.target.value)}
            autoComplete="off"
          />
        </label>
      )}
      {saved && <Notice kind="ok">{saved}</Notice>}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {testing && (
        <p className="muted small" role="status">
          Testing the credential with the provider…
        </p>
      )}
      {result && (
        <Notice kind={result.ok ? 'ok' : 'error'}>
          {result.ok ? `Test passed: ${result.message}` : `Test failed: ${result.message}`}
        </Notice>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {stored ? 'Update' : 'Register'}
        </button>
        {(!stored || edited) && (
          <button type="button" disabled={action.busy} onClick={() => void test(true)}>
            {testing ? 'Testing…' : 'Test before saving'}
          </button>
        )}
        {stored && (
          <>
            <button type="button" disabled={action.busy} onClick={() => void test(false)}>
              {testing ? 'Testing…' : 'Test'}
            </button>
            <Confirm
              label="Remove"
              question={`Remove the ${kind.title} credential? The features that use it stop working until a new one is registered.`}
              confirmLabel="Yes, remove"
              danger
              onConfirm={() => void remove()}
            />
          </>
        )}
      </div>
    </form>
  );
}
