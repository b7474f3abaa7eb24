import { api } from '../api.js';
import { LoadError } from '../components/Notice.js';
import { useInterval, useLoad } from '../hooks.js';
import { formatSeconds } from '../time.js';

/** One queue's live figures as GET /stats/queues reports them. */
export interface QueueLive {
  serviceName: string;
  timezone: string;
  waiting: number;
  scheduledToday: number;
  inProgress: number;
  averageWaitSeconds: number | null;
  ewt: number;
  agents: { loggedIn: number; available: number } | null;
}

const REFRESH_MS = 15_000;

/** Waiting callbacks, EWT and agents per queue, refreshed every few seconds. */
export function QueueLivePanel() {
  const stats = useLoad(() => api<{ items: QueueLive[] }>('/stats/queues'), 'stats');
  useInterval(stats.reload, REFRESH_MS);
  return (
    <section className="card live" aria-label="Live queues">
      <h3>Live queues</h3>
      {stats.error !== undefined && <LoadError error={stats.error} feature="The live queue view" />}
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
              <span>EWT {formatSeconds(q.ewt)}</span>
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
