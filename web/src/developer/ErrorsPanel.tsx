import { useState, type FormEvent } from 'react';
import { api, query } from '../api.js';
import { CopyButton } from '../components/CopyButton.js';
import { DateTimeInput } from '../components/TimeInput.js';
import { curlCommand } from '../components/curl.js';
import { ErrorNotice } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { formatInZone, wallTimeToIso } from '../time.js';
import { setParams, useRoute } from '../route.js';
import { useZone } from '../zone.js';
import type { ErrorDetail, ErrorPage } from '../types.js';

/**
 * A request whose key was refused: only its public prefix is known (the rest may be a typo, or
 * a revoked key). Requests without any key are not logged: anyone could send them.
 */
function KeyRefused({ prefix }: { prefix: string }) {
  return (
    <span className="badge refused" data-testid="key-refused">
      key {prefix}… not valid
    </span>
  );
}

interface Filters {
  corrId: string;
  status: string;
  code: string;
  path: string;
  fromWall: string;
  toWall: string;
}
const NO_FILTERS: Filters = {
  corrId: '',
  status: '',
  code: '',
  path: '',
  fromWall: '',
  toWall: '',
};

const STATUS_CHOICES: [string, string][] = [
  ['', 'Any status'],
  ['4xx', '4xx (client errors)'],
  ['400', '400 Bad request'],
  ['401', '401 Missing or invalid key'],
  ['403', '403 Forbidden or origin not allowed'],
  ['404', '404 Not found'],
  ['409', '409 Conflict'],
  ['429', '429 Full or throttled'],
  ['5xx', '5xx (server errors)'],
];

// Headers a replayed request needs besides the key; the rest of the stored ones are noise here.
const REPLAY_HEADERS = ['origin', 'x-correlation-id'];

/** The stored request as a curl command (secrets stay redacted; the key is $API_KEY). */
function curlOf(d: ErrorDetail): string {
  const headers: Record<string, string> = {};
  for (const name of REPLAY_HEADERS) {
    const value = d.request?.headers?.[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return curlCommand({ method: d.method, url: d.url, body: d.request?.body, headers });
}

function ErrorDetailPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const zone = useZone();
  const detail = useLoad(() => api<ErrorDetail>(`/errors/${encodeURIComponent(id)}`), id);
  const d = detail.data;
  const body = d?.request?.body;
  return (
    <aside className="card detail errors-detail" aria-label="Error detail">
      <div className="detail-head">
        <h3>Error detail</h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {detail.loading && d === undefined && (
        <p className="muted" role="status" data-testid="loading">
          Loading…
        </p>
      )}
      <ErrorNotice error={detail.error} />
      {d && (
        <>
          <p className="errors-message" data-testid="error-message">
            <strong>
              HTTP {d.statusCode} · {d.code}
            </strong>{' '}
            {d.message}
          </p>
          <dl className="facts">
            <dt>Correlation ID</dt>
            <dd className="mono">{d.corrId}</dd>
            <dt>Request</dt>
            <dd className="mono">
              {d.method} {d.url}
            </dd>
            <dt>Time</dt>
            <dd>{formatInZone(d.timestamp, zone)}</dd>
            {d.keyPrefix !== undefined && (
              <>
                <dt>API key</dt>
                <dd>
                  <KeyRefused prefix={d.keyPrefix} />
                </dd>
              </>
            )}
          </dl>
          <h4>Request body (secrets and userData redacted)</h4>
          {body === undefined || body === null ? (
            <p className="muted">No body.</p>
          ) : (
            <pre className="json" data-testid="error-request">
              {JSON.stringify(body, null, 2)}
            </pre>
          )}
          <h4>Response</h4>
          <pre className="json errors-response" data-testid="error-response">
            {JSON.stringify(d.response, null, 2)}
          </pre>
          <h4>As curl</h4>
          <pre className="json errors-curl" data-testid="error-curl">
            {curlOf(d)}
          </pre>
          <CopyButton text={curlOf(d)} label="Copy as curl" />
          <details className="errors-headers">
            <summary>Request headers</summary>
            <pre className="json" data-testid="error-headers">
              {JSON.stringify(d.request?.headers ?? {}, null, 2)}
            </pre>
          </details>
        </>
      )}
    </aside>
  );
}

/** The most recent Engagement API errors, searchable and filterable. */
export function ErrorsPanel() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [cursors, setCursors] = useState<string[]>([]);
  const zone = useZone();
  // The open error is part of the URL, so a link to it can be shared and survives a reload.
  const openId = useRoute().params.get('error') ?? undefined;
  const setOpenId = (id: string | undefined) => setParams({ error: id });
  const [version, setVersion] = useState(0);
  const before = cursors[cursors.length - 1];
  const params = {
    corrId: filters.corrId.trim(),
    status: filters.status,
    code: filters.code.trim(),
    path: filters.path.trim(),
    from: filters.fromWall === '' ? undefined : wallTimeToIso(filters.fromWall, zone),
    to: filters.toWall === '' ? undefined : wallTimeToIso(filters.toWall, zone),
    before,
    limit: 25,
  };
  const key = `${JSON.stringify(params)}:${version}`;
  const page = useLoad(
    async () => ({
      key,
      ...(await api<ErrorPage>(`/errors${query(params)}`)),
    }),
    key,
  );
  const set = (field: keyof Filters) => (value: string) =>
    setDraft((f) => ({ ...f, [field]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCursors([]);
    setFilters(draft);
    setVersion((v) => v + 1);
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    setCursors([]);
  };
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  // Rows of an earlier search are not shown under the caption of a new one.
  const current = page.data?.key === key ? page.data : undefined;
  return (
    <section className="card">
      <div className="section-head">
        <h2>Errors</h2>
        <span className="muted">Most recent first</span>
      </div>
      <form className="filters errors-filters" onSubmit={submit} role="search">
        <label>
          Correlation ID
          <input
            type="search"
            value={draft.corrId}
            onChange={(e) => set('corrId')(e.target.value)}
            placeholder="its first characters are enough"
          />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => set('status')(e.target.value)}>
            {STATUS_CHOICES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Code
          <input
            inputMode="numeric"
            pattern="[1-5][0-9]{4}"
            title="A five-digit code such as 40002"
            size={7}
            value={draft.code}
            onChange={(e) => set('code')(e.target.value)}
            placeholder="40002"
          />
        </label>
        <label>
          Path starts with
          <input
            value={draft.path}
            onChange={(e) => set('path')(e.target.value)}
            placeholder="/engagement/v3/callbacks/create"
          />
        </label>
        <DateTimeInput label="From" value={draft.fromWall} onChange={set('fromWall')} />
        <DateTimeInput label="To" value={draft.toWall} onChange={set('toWall')} />
        <button type="submit" className="primary">
          Search
        </button>
        {filtered && (
          <button type="button" onClick={clear}>
            Clear filters
          </button>
        )}
        <button type="button" onClick={() => setVersion((v) => v + 1)}>
          Refresh
        </button>
      </form>
      <ErrorNotice error={page.error} />
      {page.loading && (
        <p className="muted" role="status" data-testid="loading">
          Loading errors…
        </p>
      )}
      <div className={openId ? 'with-detail errors-layout' : 'errors-layout'}>
        {current && (
          <div>
            {current.items.length === 0 ? (
              <p className="empty">
                {filtered
                  ? 'No errors match these filters. Widen them or clear them.'
                  : 'No API errors logged. Errors of the Engagement API appear here with their correlation ID.'}
              </p>
            ) : (
              <div className="table-wrap">
                <table className="grid responsive errors-table" aria-label="Errors">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Correlation ID</th>
                      <th scope="col">Request</th>
                      <th scope="col">Status</th>
                      <th scope="col">Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    {current.items.map((e) => (
                      <tr key={e.id} className={e.id === openId ? 'open' : ''}>
                        <td data-label="Time">{formatInZone(e.timestamp, zone)}</td>
                        <td data-label="Correlation ID">
                          <button
                            type="button"
                            className="link mono"
                            onClick={() => setOpenId(e.id)}
                          >
                            {e.corrId}
                          </button>
                        </td>
                        <td data-label="Request" className="mono wrap">
                          {e.method} {e.url}
                        </td>
                        <td data-label="Status">
                          {e.statusCode} <span className="muted">({e.code})</span>
                        </td>
                        <td data-label="Message" className="wrap errors-message-cell">
                          {e.keyPrefix !== undefined && (
                            <>
                              <KeyRefused prefix={e.keyPrefix} />{' '}
                            </>
                          )}
                          {e.message}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                disabled={cursors.length === 0}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Newer
              </button>
              <button
                type="button"
                disabled={current.nextBefore === undefined}
                onClick={() => setCursors((c) => [...c, current.nextBefore ?? ''])}
              >
                Older
              </button>
            </nav>
          </div>
        )}
        {openId && (
          <ErrorDetailPanel key={openId} id={openId} onClose={() => setOpenId(undefined)} />
        )}
      </div>
    </section>
  );
}
