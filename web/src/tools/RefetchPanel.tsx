import { api } from '../api.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import { formatInZone } from '../time.js';

interface ConfigStatus {
  lastRefreshedAt: string | null;
  lastError: string | null;
  source: string | null;
  refreshMinutes: number;
}

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** When the tenant configuration was last refreshed, and a button to refresh it now. */
export function RefetchPanel() {
  const status = useLoad(() => api<ConfigStatus>('/tenant-config'), 'tenant-config');
  const action = useAction();
  const refetch = async () => {
    if (await action.run(() => api<ConfigStatus>('/tenant-config/refetch', { body: {} })))
      status.reload();
  };
  const s = status.data;
  return (
    <section className="card">
      <h2>Refetch Tenant Configuration</h2>
      <ErrorNotice error={status.error} />
      {s && (
        <>
          <p>
            Last refreshed:{' '}
            <strong data-testid="last-refreshed">
              {s.lastRefreshedAt ? formatInZone(s.lastRefreshedAt, ZONE) : 'never'}
            </strong>
          </p>
          <p className="muted small">
            It refreshes by itself every {s.refreshMinutes} minutes
            {s.source ? ` from ${s.source}` : ''}.
          </p>
          {s.lastError && <Notice kind="error">Last refresh failed: {s.lastError}</Notice>}
        </>
      )}
      {action.error && <Notice kind="error">{action.error}</Notice>}
      <button
        type="button"
        className="primary"
        disabled={action.busy}
        onClick={() => void refetch()}
      >
        Refetch now
      </button>
    </section>
  );
}
