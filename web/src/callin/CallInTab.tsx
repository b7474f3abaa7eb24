import { useState } from 'react';
import { api, query } from '../api.js';
import { ErrorNotice, LoadError } from '../components/Notice.js';
import { Loading } from '../components/Loading.js';
import { useLoad } from '../hooks.js';
import { formatPhone } from '../phone.js';
import { setParams, useRoute, useTitle } from '../route.js';
import { formatInZone } from '../time.js';
import { sourceWords } from '../words.js';
import { useZone } from '../zone.js';
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

/** Click-to-call-in groups and the request records customers made. */
export function CallInTab() {
  const groups = useLoad(() => api<{ items: CallInGroup[] }>('/call-in/groups'), 'groups');
  const zone = useZone();
  const route = useRoute();
  const group = route.params.get('group') ?? '';
  const setGroup = (g: string) => setParams({ group: g === '' ? undefined : g });
  useTitle('Call-In');
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
        {!groups.data && groups.loading && <Loading what="call-in groups" />}
        {groups.data && groups.data.items.length === 0 && (
          <p className="empty">
            No call-in groups yet. Create one with New group: give it the numbers customers call.
          </p>
        )}
        {groups.data && groups.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="grid responsive" aria-label="Call-in groups">
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
                    <td data-label="Group">
                      <button type="button" className="link" onClick={() => setEditing(g)}>
                        {g.name}
                      </button>
                    </td>
                    <td data-label="Numbers" className="mono">
                      {g.numbers.map((n) => (
                        <span key={n} className="nowrap">
                          {formatPhone(n)}{' '}
                        </span>
                      ))}
                    </td>
                    <td data-label="Access code">
                      {g.accessCodeEnabled ? `${g.accessCodeLength} digits` : 'off'}
                    </td>
                    <td data-label="Expiry">{g.expirySeconds} s</td>
                    <td data-label="Source" className="muted">
                      {sourceWords(g.source)}
                    </td>
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
        </div>
        <ErrorNotice error={requests.error} />
        {!requests.data && requests.loading && <Loading what="call-in requests" />}
        {requests.data && requests.data.items.length === 0 && (
          <p className="empty">
            No requests yet. They appear here when a page or app asks for a call-in number.
          </p>
        )}
        {requests.data && requests.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="grid responsive" aria-label="Call-in requests">
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
                    <td data-label="Created" data-testid="callin-created">
                      {formatInZone(r.createdAt, zone)}
                    </td>
                    <td data-label="Group">{r.groupName}</td>
                    <td data-label="Call" className="mono">
                      {formatPhone(r.toPhoneNumber)}
                    </td>
                    <td data-label="From" className="mono">
                      {r.fromPhoneNumber ? (
                        formatPhone(r.fromPhoneNumber)
                      ) : (
                        <span className="muted">not given</span>
                      )}
                    </td>
                    <td data-label="Code" className="mono">
                      {r.accessCode ?? <span className="muted">none</span>}
                    </td>
                    <td data-label="Expires">{formatInZone(r.expirationTime, zone)}</td>
                    <td data-label="Status">
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
