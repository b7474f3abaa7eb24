import { api } from '../api.js';
import { LoadError } from '../components/Notice.js';
import { useInterval, useLoad } from '../hooks.js';
import { useZone } from '../zone.js';
import { formatSeconds, timeInZone } from '../time.js';

/** One queue's live figures as GET /stats/queues reports them. */
export interface QueueLive {
  serviceName: string;
  timezone: string;
  waiting: number;
  scheduledToday: number;
  inProgress: number;
  completedTodayByReason: Record<string, number>;
  averageWaitSeconds: number | null;
  ewt: number;
  agents: { loggedIn: number; available: number } | null;
}

const REFRESH_MS = 15_000;

/** "AGENT_CONNECTED" as "agent connected". */
const reasonLabel = (reason: string) => reason.toLowerCase().replace(/_/g, ' ');

function CompletedToday({ byReason }: { byReason: Record<string, number> }) {
  const entries = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return <span>None completed today</span>;
  return (
    <span className="live-reasons">
      <b>{total}</b> completed today:{' '}
      {entries.map(([reason, n], i) => (
        <span key={reason}>
          {i > 0 && ' · '}
          {n} {reasonLabel(reason)}
        </span>
      ))}
    </span>
  );
}

/** Waiting callbacks, waits, outcomes and agents per queue, refreshed every few seconds. */
export function QueueLivePanel() {
  const zone = useZone();
  const stats = useLoad(() => api<{ items: QueueLive[]; asOf?: string }>('/stats/queues'), 'stats');
  useInterval(stats.reload, REFRESH_MS);
  const asOf = stats.data?.asOf;
  return (
    <section className="card live" aria-label="Live queues">
      <div className="live-head">
        <h3>Live queues</h3>
        {asOf !== undefined && (
          <span className="muted small" data-testid="live-updated">
            Updated {timeInZone(asOf, zone)} · every {REFRESH_MS / 1000} s
          </span>
        )}
      </div>
      {stats.error !== undefined && <LoadError error={stats.error} feature="The live queue view" />}
      {stats.data === undefined && stats.error === undefined && (
        <p className="muted" role="status" data-testid="loading">
          Loading…
        </p>
      )}
      {stats.data && (
        <div className="live-grid">
          {stats.data.items.map((q) => (
            <div className="live-queue" key={q.serviceName} data-testid={`live-${q.serviceName}`}>
              <strong>{q.serviceName}</strong>
              <span>
                <b>{q.waiting}</b> waiting
              </span>
              <span>
                <b>{q.inProgress}</b> in progress
              </span>
              <span>
                <b>{q.scheduledToday}</b> scheduled today
              </span>
              <span title="Estimated wait time for a callback asked now">
                Estimated wait {formatSeconds(q.ewt)}
              </span>
              <span title="From the desired time until an agent or dialer took the callback, averaged over those taken today">
                Average wait today{' '}
                {q.averageWaitSeconds === null
                  ? '–'
                  : formatSeconds(Math.round(q.averageWaitSeconds))}
              </span>
              <CompletedToday byReason={q.completedTodayByReason} />
              <span>
                {q.agents
                  ? `${q.agents.available} of ${q.agents.loggedIn} agents available`
                  : 'No agent report'}
              </span>
            </div>
          ))}
          {stats.data.items.length === 0 && <p className="muted">No queues yet.</p>}
        </div>
      )}
    </section>
  );
}
