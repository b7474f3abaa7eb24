import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Confirm } from '../components/Confirm.js';
import { ErrorNotice, Notice } from '../components/Notice.js';
import { useAction, useLoad } from '../hooks.js';
import type { QueueSettings } from '../types.js';
import { PurgePanel } from './PurgePanel.js';
import { QueueCheck } from './QueueCheck.js';
import { QueueEditor } from './QueueEditor.js';
import { RefetchPanel } from './RefetchPanel.js';

/** Tenant configuration refetch, and per queue: purge now and the settings editor. */
export function ToolsTab() {
  const queues = useLoad(() => api<{ items: QueueSettings[] }>('/queues'), 'tools-queues');
  const [name, setName] = useState('');
  const [newName, setNewName] = useState('');
  const create = useAction();
  const remove = useAction();
  const items = queues.data?.items ?? [];
  const current = items.find((q) => q.name === name) ?? items[0];

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
  const deleteQueue = async (queue: string) => {
    if (await remove.run(() => api(`/queues/${encodeURIComponent(queue)}`, { method: 'DELETE' }))) {
      setName('');
      queues.reload();
    }
  };

  return (
    <div className="stack">
      <RefetchPanel />
      <section className="card">
        <div className="section-head">
          <h2>Queues</h2>
          <label>
            Queue
            <select value={current?.name ?? ''} onChange={(e) => setName(e.target.value)}>
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
        <ErrorNotice error={queues.error} />
        {create.error && <Notice kind="error">{create.error}</Notice>}
        {remove.error && <Notice kind="error">{remove.error}</Notice>}
        {items.length === 0 && queues.data && (
          <p className="empty">No queues yet: create one above.</p>
        )}
        {current && (
          <>
            <div className="queue-actions">
              <PurgePanel key={`purge-${current.name}`} queue={current.name} />
              <Confirm
                label={`Delete ${current.name}`}
                question={`Delete queue ${current.name} and its settings?`}
                confirmLabel="Yes, delete"
                danger
                onConfirm={() => void deleteQueue(current.name)}
              />
            </div>
            <QueueEditor key={current.name} settings={current} onSaved={() => queues.reload()} />
          </>
        )}
      </section>
      {items.length > 0 && <QueueCheck queues={items} />}
    </div>
  );
}
