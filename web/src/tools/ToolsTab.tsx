import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useDiscardGuard } from '../components/DiscardPrompt.js';
import { Loading } from '../components/Loading.js';
import { useAction, useLoad } from '../hooks.js';
import { canWriteCallbacks } from '../roles.js';
import { setParams, useRoute, useTitle } from '../route.js';
import type { QueueSettings, Role } from '../types.js';
import { AccessPanel } from './AccessPanel.js';
import { PurgePanel } from './PurgePanel.js';
import { QueueCheck } from './QueueCheck.js';
import { QueueEditor } from './QueueEditor.js';
import { RefetchPanel } from './RefetchPanel.js';

// The server's 409 when a queue still has active callbacks: their count by state.
const activeOf = (e: unknown): Record<string, number> | undefined =>
  e instanceof ApiError && e.code === 40904 && typeof e.data === 'object' && e.data !== null
    ? ((e.data as { active?: Record<string, number> }).active ?? undefined)
    : undefined;

/**
 * Tenant configuration refetch, per queue the settings editor (and, for those who may cancel
 * callbacks, purge and delete), and for Administrators the API keys and users.
 */
export function ToolsTab({ role }: { role: Role }) {
  const writer = canWriteCallbacks(role);
  const [active, setActive] = useState<Record<string, number>>();
  const queues = useLoad(() => api<{ items: QueueSettings[] }>('/queues'), 'tools-queues');
  const route = useRoute();
  const name = route.params.get('queue') ?? '';
  const setName = (queue: string) => setParams({ queue: queue === '' ? undefined : queue });
  const { guard, prompt } = useDiscardGuard();
  const [newName, setNewName] = useState('');
  const create = useAction();
  const remove = useAction();
  const items = queues.data?.items ?? [];
  const current = items.find((q) => q.name === name) ?? items[0];
  useTitle(current?.name, 'Tools');

  const createQueue = async (e: FormEvent) => {
    e.preventDefault();
    const made = await create.run(() =>
      api<QueueSettings>('/queues', { body: { name: newName.trim() } }),
    );
    if (made) {
      setNewName('');
      setName(made.name);
      queues.reload();
    }
  };
  const deleteQueue = async (queue: string, cancelActive = false) => {
    setActive(undefined);
    const url = `/queues/${encodeURIComponent(queue)}${cancelActive ? '?cancelActive=true' : ''}`;
    const done = await remove.run(async () => {
      try {
        return await api(url, { method: 'DELETE' });
      } catch (e) {
        // Callbacks still wait there: ask again, saying how many would be cancelled.
        const waiting = activeOf(e);
        if (waiting === undefined || cancelActive) throw e;
        setActive(waiting);
        return undefined;
      }
    });
    if (done) {
      setName('');
      queues.reload();
    }
  };
  const waitingCount = Object.entries(active ?? {})
    .filter(([state]) => state !== 'PROCESSING')
    .reduce((sum, [, n]) => sum + n, 0);

  return (
    <div className="stack">
      <RefetchPanel />
      <section className="card">
        <div className="section-head">
          <h2>Queues</h2>
          <label>
            Queue
            <select
              value={current?.name ?? ''}
              onChange={(e) => {
                const next = e.target.value;
                guard(() => setName(next));
              }}
            >
              {items.map((q) => (
                <option key={q.name}>{q.name}</option>
              ))}
            </select>
          </label>
          <span className="spacer" />
          <form className="inline-form" onSubmit={(e) => void createQueue(e)}>
            <label>
              New queue name
              <input
                value={newName}
                onChange={(e) => setNewName(e.target.value)}
                required
                pattern="[A-Za-z0-9_.\-]{1,64}"
              />
            </label>
            <button type="submit" disabled={create.busy}>
              Create queue
            </button>
          </form>
        </div>
        {prompt}
        <ErrorNotice error={queues.error} />
        {queues.loading && !queues.data && <Loading what="queues" />}
        {create.error && <Notice kind="error">{create.error}</Notice>}
        {remove.error && <Notice kind="error">{remove.error}</Notice>}
        {items.length === 0 && queues.data && (
          <p className="empty">No queues yet: create one above.</p>
        )}
        {current && (
          <>
            {writer && (
              <div className="queue-actions">
                <PurgePanel key={`purge-${current.name}`} queue={current.name} />
                <Confirm
                  label={`Delete ${current.name}`}
                  question={`Delete queue ${current.name} and its settings? New bookings for ${current.name} will then be refused.`}
                  confirmLabel={`Yes, delete ${current.name}`}
                  danger
                  onConfirm={() => void deleteQueue(current.name)}
                />
                {active && (
                  <Confirm
                    label={`Cancel ${waitingCount} waiting and delete`}
                    question={`${waitingCount} callbacks wait in ${current.name}. Cancel them (CANCELLED_BY_ADMIN) and delete the queue?`}
                    confirmLabel="Yes, cancel and delete"
                    danger
                    onConfirm={() => void deleteQueue(current.name, true)}
                  />
                )}
              </div>
            )}
            <QueueEditor key={current.name} settings={current} onSaved={() => queues.reload()} />
          </>
        )}
      </section>
      {items.length > 0 && <QueueCheck queues={items} />}
      {role === 'Administrator' && <AccessPanel />}
    </div>
  );
}
