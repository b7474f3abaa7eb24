import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import type { Role } from '../types.js';

interface ApiKey {
  id: string;
  name: string;
  scope: string;
  kind: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface User {
  username: string;
  role: Role;
  disabled: boolean;
}

const ROLES: Role[] = ['Administrator', 'Supervisor', 'Developer', 'Monitor'];
const day = (iso: string | null) => (iso === null ? '—' : iso.slice(0, 10));

/** The tenant's API keys: kind and scope at a glance, a new key shown once, revoke. */
function ApiKeys() {
  const keys = useLoad(() => api<{ items: ApiKey[] }>('/api-keys'), 'access-keys');
  const [name, setName] = useState('');
  const [scope, setScope] = useState('engagement');
  const [kind, setKind] = useState('browser');
  const [created, setCreated] = useState<{ key: string; kind: string; scope: string }>();
  const action = useAction();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setCreated(undefined);
    const made = await action.run(() =>
      api<{ key: string; kind: string; scope: string }>('/api-keys', {
        body: { scope, name: name.trim(), ...(scope === 'engagement' ? { kind } : {}) },
      }),
    );
    if (made) {
      setCreated(made);
      setName('');
      keys.reload();
    }
  };
  const revoke = async (id: string) => {
    if (await action.run(() => api(`/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }))) {
      keys.reload();
    }
  };

  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="muted">
        A <strong>browser</strong> key may sit in a web page: it books, and reads, reschedules or
        cancels callbacks by id or phone number. A <strong>server</strong> key can also list
        callbacks, send pushes, match call-in codes and read statistics: keep it on servers.
      </p>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <label>
          Key name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </label>
        <label>
          Scope
          <select value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="engagement">engagement</option>
            <option value="dispatch">dispatch</option>
            <option value="admin">admin</option>
          </select>
        </label>
        {scope === 'engagement' && (
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="browser">browser</option>
              <option value="server">server</option>
            </select>
          </label>
        )}
        <button type="submit" disabled={action.busy}>
          Create key
        </button>
      </form>
      {created && (
        <Notice kind="ok">
          New {created.scope}, {created.kind} key (shown only now):{' '}
          <code className="mono" data-testid="new-key">
            {created.key}
          </code>
        </Notice>
      )}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <ErrorNotice error={keys.error} />
      <div className="table-wrap">
        <table className="grid responsive" data-testid="api-keys" aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Kind</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {(keys.data?.items ?? []).map((k) => (
              <tr key={k.id}>
                <td data-label="Name">{k.name}</td>
                <td data-label="Scope">{k.scope}</td>
                <td data-label="Kind">{k.kind}</td>
                <td data-label="Prefix" className="mono">
                  {k.prefix}
                </td>
                <td data-label="Created">{day(k.createdAt)}</td>
                <td data-label="Last used">{day(k.lastUsedAt)}</td>
                <td data-label="Status">
                  {k.revokedAt !== null ? (
                    'revoked'
                  ) : (
                    <Confirm
                      label="Revoke"
                      question={`Revoke ${k.name}? Callers using it are refused at once.`}
                      confirmLabel="Yes, revoke"
                      danger
                      onConfirm={() => void revoke(k.id)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Console users: create, change role, disable or enable, delete; each change ends sessions. */
function Users() {
  const users = useLoad(() => api<{ items: User[] }>('/users'), 'access-users');
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('Monitor');
  const [password, setPassword] = useState('');
  const [generated, setGenerated] = useState<{ username: string; password: string }>();
  const action = useAction();

  const change = async (call: () => Promise<unknown>) => {
    setGenerated(undefined);
    if ((await action.run(call)) !== undefined) users.reload();
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setGenerated(undefined);
    const made = await action.run(() =>
      api<{ username: string; generatedPassword?: string }>('/users', {
        body: { username: username.trim(), role, ...(password === '' ? {} : { password }) },
      }),
    );
    if (made) {
      if (made.generatedPassword !== undefined) {
        setGenerated({ username: made.username, password: made.generatedPassword });
      }
      setUsername('');
      setPassword('');
      users.reload();
    }
  };
  const path = (name: string) => `/users/${encodeURIComponent(name)}`;

  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <p className="muted">
        Passwords need at least 12 characters and must not be common. Changing a user&apos;s role or
        password, or disabling them, signs them out everywhere.
      </p>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <label>
          User name
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            pattern="[A-Za-z0-9._@\-]{1,64}"
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Password (empty: generate one)
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
          />
        </label>
        <button type="submit" disabled={action.busy}>
          Add user
        </button>
      </form>
      {generated && (
        <Notice kind="ok">
          Password of {generated.username} (shown only now):{' '}
          <code className="mono">{generated.password}</code>
        </Notice>
      )}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <ErrorNotice error={users.error} />
      <div className="table-wrap">
        <table className="grid responsive" data-testid="users" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.items ?? []).map((u) => (
              <tr key={u.username}>
                <td data-label="User">{u.username}</td>
                <td data-label="Role">
                  <select
                    aria-label={`Role of ${u.username}`}
                    value={u.role}
                    disabled={action.busy}
                    onChange={(e) =>
                      void change(() =>
                        api(path(u.username), { method: 'PATCH', body: { role: e.target.value } }),
                      )
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td data-label="Status">{u.disabled ? 'disabled' : 'active'}</td>
                <td data-label="Actions" className="actions">
                  <button
                    type="button"
                    className="small-btn"
                    disabled={action.busy}
                    onClick={() =>
                      void change(() =>
                        api(path(u.username), {
                          method: 'PATCH',
                          body: { disabled: !u.disabled },
                        }),
                      )
                    }
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                  <Confirm
                    label="Delete"
                    question={`Delete ${u.username}? They are signed out at once.`}
                    confirmLabel="Yes, delete"
                    danger
                    onConfirm={() => void change(() => api(path(u.username), { method: 'DELETE' }))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Administrators only: the tenant's API keys and console users. */
export function AccessPanel() {
  return (
    <>
      <ApiKeys />
      <Users />
    </>
  );
}
