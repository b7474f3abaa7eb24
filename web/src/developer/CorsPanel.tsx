import { api } from '../api.js';
import { ErrorNotice } from '../components/Notice.js';
import { Loading } from '../components/Loading.js';
import { useLoad } from '../hooks.js';
import { sourceWords } from '../words.js';

interface Origin {
  origin: string;
  source: string;
  createdAt: string;
}

/** The tenant's allowed CORS origins (read-only: the operator manages them). */
export function CorsPanel() {
  const list = useLoad(() => api<{ items: Origin[] }>('/cors-origins'), 'cors');
  return (
    <section className="card">
      <h2>Allowed CORS Domains</h2>
      <p className="muted">
        Browsers on these origins may call the Engagement API. The operator manages this list.
      </p>
      <ErrorNotice error={list.error} />
      {!list.data && list.loading && <Loading what="allowed origins" />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <p className="empty">
            No origins are allowed yet, so no web page can book callbacks from a browser. Ask the
            operator to add your site to the tenant configuration (corsOrigins).
          </p>
        ) : (
          <ul className="plain-list" aria-label="Allowed origins">
            {list.data.items.map((o) => (
              <li key={o.origin}>
                <span className="mono">{o.origin}</span>{' '}
                <span className="muted small">added by {sourceWords(o.source)}</span>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
