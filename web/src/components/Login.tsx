import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { useAction } from '../hooks.js';
import { useTitle } from '../route.js';
import type { Session } from '../types.js';
import { Notice } from './Notice.js';

interface Props {
  onLogin: (session: Session) => void;
  /** Why the user is here again (e.g. the session timed out). */
  notice?: string | undefined;
}

/** The login form: tenant, user name and password. */
export function Login({ onLogin, notice }: Props) {
  const [tenant, setTenant] = useState(() => localStorage.getItem('oc.tenant') ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  useTitle('Sign in');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const session = await run(() =>
      api<Session>('/login', {
        body: { tenant: tenant.trim(), username: username.trim(), password },
      }),
    );
    if (session) {
      localStorage.setItem('oc.tenant', tenant.trim());
      onLogin(session);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={(e) => void submit(e)}>
        <h1>OpenCallback</h1>
        <p className="muted">Sign in to the callback console</p>
        {notice && <Notice kind="info">{notice}</Notice>}
        <label>
          Tenant
          <input
            name="tenant"
            value={tenant}
            onChange={(e) => setTenant(e.target.value)}
            required
            autoComplete="organization"
          />
        </label>
        <label>
          User name
          <input
            name="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoComplete="username"
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="current-password"
          />
        </label>
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
