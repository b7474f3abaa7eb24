import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Notice } from '../components/Notice.js';
import { useAction } from '../hooks.js';

/** Paste an API key and see whether it is a valid key of this tenant. */
export function KeyValidation() {
  const [key, setKey] = useState('');
  const [result, setResult] = useState<{ valid: boolean; message: string } | undefined>();
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    const r = await run(() =>
      api<{ valid: boolean; message: string }>('/api-keys/validate', { body: { key: key.trim() } }),
    );
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
    </section>
  );
}
