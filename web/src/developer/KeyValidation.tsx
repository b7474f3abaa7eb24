import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';

interface Verdict {
  valid: boolean;
  message: string;
  scope?: string;
  kind?: string;
}

/** What a valid key can do, in a line: a valid key can still be the wrong one for a call. */
function reach(v: Verdict): string | undefined {
  if (!v.valid) return undefined;
  if (v.scope === 'dispatch')
    return 'For the Dispatch API (dialers): the Engagement API refuses it.';
  if (v.scope === 'admin') return 'For the Admin API and every other API: keep it on servers only.';
  if (v.kind === 'browser') {
    return (
      'Safe in a web page: books, and reads, reschedules or cancels a callback by its id or ' +
      'phone number; listing callbacks, pushes, call-in matching and statistics need a server key.'
    );
  }
  return 'A server key: every Engagement API call. Keep it out of web pages and apps.';
}

/** Paste an API key and see whether it is a valid key of this tenant, and its scope and kind. */
export function KeyValidation() {
  const [key, setKey] = useState('');
  const [result, setResult] = useState<Verdict | undefined>();
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    const r = await run(() => api<Verdict>('/api-keys/validate', { body: { key: key.trim() } }));
    if (r) setResult(r);
  };
  return (
    <section className="card form narrow">
      <h2>API Key Validation</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          API key
          <input
            name="apiKey"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
            autoComplete="off"
            spellCheck={false}
            className="mono"
          />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Validate
          </button>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <p
          className={`verdict ${result.valid ? 'ok' : 'bad'}`}
          role="status"
          data-testid="key-verdict"
        >
          {result.message}
        </p>
      )}
      {result && reach(result) && (
        <p className="muted" data-testid="key-reach">
          {reach(result)}
        </p>
      )}
    </section>
  );
}
