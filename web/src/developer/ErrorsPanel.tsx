import { useState, type FormEvent } from 'react';
import { api, query } from '../api.js';
import { ErrorNotice } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { formatInZone } from '../time.js';

interface ErrorSummary {
  id: string;
  corrId: string;
  method: string;
  url: string;
  statusCode: number;
  code: number;
  message: string;
  timestamp: string;
}
interface ErrorDetail extends ErrorSummary {
  request: unknown;
  response: unknown;
}

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

function ErrorDetailPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const detail = useLoad(() => api<ErrorDetail>(`/errors/${encodeURIComponent(id)}`), id);
  const d = detail.data;
  return (
    <aside className="card detail" aria-label="Error detail">
      <div className="detail-head">
        <h3>Error detail</h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNotice error={detail.error} />
      {d && (
        <>
          <dl className="facts">
            <dt>Correlation ID</dt>
            <dd className="mono">{d.corrId}</dd>
            <dt>Request</dt>
            <dd className="mono">
              {d.method} {d.url}
            </dd>
            <dt>Status</dt>
            <dd>
              HTTP {d.statusCode} · code {d.code} · {d.message}
            </dd>
            <dt>Time</dt>
            <dd>{formatInZone(d.timestamp, ZONE)}</dd>
          </dl>
          <h4>Request (secrets and userData redacted)</h4>
          <pre className="json" data-testid="error-request">
            {JSON.stringify(d.request, null, 2)}
          </pre>
          <h4>Response</h4>
          <pre className="json" data-testid="error-response">
            {JSON.stringify(d.response, null, 2)}
          </pre>
        </>
      )}
    </aside>
  );
}

/** The most recent Engagement API errors, searchable by correlation ID. */
export function ErrorsPanel() {
  const [search, setSearch] = useState('');
  const [corrId, setCorrId] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [openId, setOpenId] = useState<string | undefined>();
  const before = cursors[cursors.length - 1];
  const page = useLoad(
    () =>
      api<{ items: ErrorSummary[]; nextBefore?: string }>(
        `/errors${query({ corrId, before, limit: 25 })}`,
      ),
    `${corrId}:${before ?? ''}`,
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCursors([]);
    setCorrId(search.trim());
    page.reload();
  };
  return (
    <section className="card">
      <div className="section-head">
        <h2>Errors</h2>
        <span className="muted">Most recent first · times in {ZONE}</span>
      </div>
      <form className="filters" onSubmit={submit} role="search">
        <label>
          Correlation ID
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="paste an x-correlation-id"
          />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
        <button type="button" onClick={() => page.reload()}>
          Refresh
        </button>
      </form>
      <ErrorNotice error={page.error} />
      <div className={openId ? 'with-detail' : ''}>
        {page.data && (
          <div>
            {page.data.items.length === 0 ? (
              <p className="empty">No errors{corrId ? ` with correlation ID ${corrId}` : ''}.</p>
            ) : (
              <div className="table-wrap">
                <table className="grid" aria-label="Errors">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Correlation ID</th>
                      <th scope="col">Method</th>
                      <th scope="col">URL</th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.items.map((e) => (
                      <tr key={e.id} className={e.id === openId ? 'open' : ''}>
                        <td>{formatInZone(e.timestamp, ZONE)}</td>
                        <td>
                          <button
                            type="button"
                            className="link mono"
                            onClick={() => setOpenId(e.id)}
                          >
                            {e.corrId}
                          </button>
                        </td>
                        <td>{e.method}</td>
                        <td className="mono wrap">{e.url}</td>
                        <td>
                          {e.statusCode} <span className="muted">({e.code})</span>
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
                disabled={page.data.nextBefore === undefined}
                onClick={() => setCursors((c) => [...c, page.data?.nextBefore ?? ''])}
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
