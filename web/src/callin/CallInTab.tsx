import { useState } from 'react';
import { api, query } from '../api.js';
import { ErrorNotice, LoadError } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { formatInZone } from '../time.js';
import { GroupForm, type CallInGroup } from './GroupForm.js';

interface CallInRequest {
  id: string;
  groupName: string;
  toPhoneNumber: string;
  fromPhoneNumber?: string;
  accessCode?: string;
  expirationTime: number;
  status: string;
  createdAt: string;
  matchedAt?: string;
}

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Click-to-call-in groups and the request records customers made. */
export function CallInTab() {
  const groups = useLoad(() => api<{ items: CallInGroup[] }>('/call-in/groups'), 'groups');
  const [group, setGroup] = useState('');
  const [editing, setEditing] = useState<CallInGroup | 'new' | undefined>();
  const requests = useLoad(
    () =>
      api<{ items: CallInRequest[] }>(`/call-in/requests${query({ groupName: group, limit: 50 })}`),
    `requests:${group}`,
  );
  if (groups.error !== undefined)
    return <LoadError error={groups.error} feature="Click-to-call-in" />;
  return (
    <div className="stack">
      <section className="card">
        <div className="section-head">
          <h2>Call-in groups</h2>
          <span className="spacer" />
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New group
          </button>
        </div>
        {groups.data && groups.data.items.length === 0 && (
          <p className="empty">No call-in groups yet.</p>
        )}
        {groups.data && groups.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="grid" aria-label="Call-in groups">
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Numbers</th>
                  <th scope="col">Access code</th>
                  <th scope="col">Expiry</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {groups.data.items.map((g) => (
                  <tr key={g.name}>
                    <td>
                      <button type="button" className="link" onClick={() => setEditing(g)}>
                        {g.name}
                      </button>
                    </td>
                    <td className="mono wrap">{g.numbers.join(', ')}</td>
                    <td>{g.accessCodeEnabled ? `${g.accessCodeLength} digits` : 'off'}</td>
                    <td>{g.expirySeconds} s</td>
                    <td className="muted">{g.source ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {editing && (
          <GroupForm
            key={editing === 'new' ? 'new' : editing.name}
            group={editing === 'new' ? undefined : editing}
            onDone={() => {
              setEditing(undefined);
              groups.reload();
            }}
          />
        )}
      </section>
      <section className="card">
        <div className="section-head">
          <h2>Requests</h2>
          <label>
            Group
            <select value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">All groups</option>
              {groups.data?.items.map((g) => (
                <option key={g.name}>{g.name}</option>
              ))}
            </select>
          </label>
          <span className="muted">Times in {ZONE}</span>
        </div>
        <ErrorNotice error={requests.error} />
        {requests.data && requests.data.items.length === 0 && <p className="empty">No requests.</p>}
        {requests.data && requests.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="grid" aria-label="Call-in requests">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Group</th>
                  <th scope="col">Call</th>
                  <th scope="col">From</th>
                  <th scope="col">Code</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {requests.data.items.map((r) => (
                  <tr key={r.id}>
                    <td>{formatInZone(r.createdAt, ZONE)}</td>
                    <td>{r.groupName}</td>
                    <td className="mono">{r.toPhoneNumber}</td>
                    <td className="mono">{r.fromPhoneNumber ?? ''}</td>
                    <td className="mono">{r.accessCode ?? ''}</td>
                    <td>{formatInZone(r.expirationTime, ZONE)}</td>
                    <td>
                      <span className={`badge ${r.status}`}>{r.status}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
