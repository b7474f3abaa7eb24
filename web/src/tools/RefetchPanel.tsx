import { api } from '../api.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import { Loading } from '../components/Loading.js';
import { formatInZone, relativeTime } from '../time.js';
import { useZone } from '../zone.js';

interface ConfigStatus {
  lastRefreshedAt: string | null;
  lastError: string | null;
  source: string | null;
  refreshMinutes: number;
}

/** When the tenant configuration was last refreshed, and a button to refresh it now. */
export function RefetchPanel() {
  const status = useLoad(() => api<ConfigStatus>('/tenant-config'), 'tenant-config');
  const action = useAction();
  const zone = useZone();
  const refetch = async () => {
    if (await action.run(() => api<ConfigStatus>('/tenant-config/refetch', { body: {} })))
      status.reload();
  };
  const s = status.data;
  return (
    <section className="card">
      <h2>Refetch Tenant Configuration</h2>
      <ErrorNotice error={status.error} />
      {!status.data && status.loading && <Loading what="the configuration status" lines={2} />}
      {s && (
        <>
          <p>
            Last refreshed:{' '}
            <strong data-testid="last-refreshed">
              {s.lastRefreshedAt ? formatInZone(s.lastRefreshedAt, zone) : 'never'}
            </strong>
            {s.lastRefreshedAt && (
              <span className="muted"> ({relativeTime(s.lastRefreshedAt, Date.now())})</span>
            )}
          </p>
          <p className="muted small" data-testid="refresh-cycle">
            {s.source
              ? `It refreshes by itself every ${s.refreshMinutes} minutes from ${s.source}.`
              : 'No configuration file or folder is set up for this installation, so nothing refreshes by itself; Refetch re-reads what the server already has.'}
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
        {action.busy ? 'Refetching…' : 'Refetch now'}
      </button>
    </section>
  );
}
