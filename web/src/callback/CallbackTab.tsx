import { useState } from 'react';
import { adminUrl, api, query } from '../api.js';
import { LoadError, Notice } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { canWriteCallbacks } from '../roles.js';
import { formatInZone, wallTimeToIso } from '../time.js';
import type { CallbackPage, QueueSettings, Role } from '../types.js';
import { BulkCancel } from './BulkCancel.js';
import { CallbackDetail } from './CallbackDetail.js';
import { CallbackTable } from './CallbackTable.js';
import { CreateForm } from './CreateForm.js';
import { FilterForm } from './FilterForm.js';
import { NO_FILTERS, RANGE_LABELS, type CallbackFilters } from './filters.js';
import { QueueLivePanel } from './QueueLivePanel.js';
import { SlotChart } from './SlotChart.js';

const PAGE_SIZE = 25;

function searchParams(f: CallbackFilters, timezone: string) {
  const custom = f.range === 'custom';
  return {
    range: f.range,
    timeField: f.timeField,
    from: custom ? wallTimeToIso(f.fromWall, timezone) : undefined,
    to: custom ? wallTimeToIso(f.toWall, timezone) : undefined,
    states: f.states.join(','),
    queue: f.queue,
    phone: f.phone.trim(),
  };
}

/** Callbacks of a time range with filters, detail, create, bulk cancel, live view and chart. */
export function CallbackTab({ role }: { role: Role }) {
  const canWrite = canWriteCallbacks(role);
  const [filters, setFilters] = useState<CallbackFilters>(NO_FILTERS);
  const [cursors, setCursors] = useState<string[]>([]);
  const [openId, setOpenId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [version, setVersion] = useState(0);
  const [done, setDone] = useState<string | undefined>();

  const queues = useLoad(() => api<{ items: QueueSettings[] }>('/queues'), 'queues');
  const queueNames = queues.data?.items.map((q) => q.name) ?? [];
  const [timezone, setTimezone] = useState('UTC');
  const params = { ...searchParams(filters, timezone), before: cursors[cursors.length - 1] };
  const page = useLoad(
    async () => {
      const p = await api<CallbackPage>(`/callbacks${query({ ...params, limit: PAGE_SIZE })}`);
      setTimezone(p.timezone);
      return p;
    },
    `${JSON.stringify(params)}:${version}`,
  );

  const refresh = () => setVersion((v) => v + 1);
  const apply = (f: CallbackFilters) => {
    setFilters(f);
    setCursors([]);
    setSelected(new Set());
    refresh();
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const toggleAll = (ids: string[]) =>
    setSelected((s) => (ids.every((id) => s.has(id)) ? new Set() : new Set(ids)));

  const data = page.data;
  return (
    <div className="callback-tab">
      <div className="overview">
        <QueueLivePanel />
        {queueNames.length > 0 && <SlotChart queues={queueNames} />}
      </div>
      <section className="card">
        <div className="section-head">
          <h2>Callbacks</h2>
          {data && (
            <span className="muted" data-testid="range-caption">
              {RANGE_LABELS[filters.range]} by {filters.timeField} time:{' '}
              {formatInZone(data.from, data.timezone)} – {formatInZone(data.to, data.timezone)}
            </span>
          )}
          <span className="spacer" />
          {canWrite && (
            <>
              <button
                type="button"
                className="primary"
                onClick={() => setCreating((c) => !c)}
                aria-expanded={creating}
              >
                New callback
              </button>
              <a
                className="button"
                href={adminUrl(`/callbacks/export.csv${query(params)}`)}
                download
              >
                Export CSV
              </a>
            </>
          )}
        </div>
        {!canWrite && (
          <Notice kind="info">
            Read-only: your role can look at callbacks but not change them.
          </Notice>
        )}
        {creating && (
          <CreateForm
            queues={queueNames}
            onClose={() => setCreating(false)}
            onCreated={(c) => {
              setCreating(false);
              setDone(`Callback for ${c.phoneNumber} created (${c.state}).`);
              setOpenId(c.id);
              refresh();
            }}
          />
        )}
        <FilterForm value={filters} queues={queueNames} timezone={timezone} onApply={apply} />
        {done && <Notice kind="ok">{done}</Notice>}
        {canWrite && (
          <BulkCancel
            ids={[...selected]}
            onStarted={() => setSelected(new Set())}
            onFinished={refresh}
          />
        )}
        {page.error !== undefined && <LoadError error={page.error} feature="The callback list" />}
        <div className={openId ? 'with-detail' : ''}>
          {data && (
            <div>
              <p className="muted small">Times in {data.timezone}</p>
              <CallbackTable
                items={data.items}
                timezone={data.timezone}
                selectable={canWrite}
                selected={selected}
                onToggle={toggle}
                onToggleAll={toggleAll}
                onOpen={setOpenId}
                openId={openId}
              />
              <nav className="pager" aria-label="Pages">
                <button
                  type="button"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors((c) => c.slice(0, -1))}
                >
                  Newer
                </button>
                <span className="muted">Page {cursors.length + 1}</span>
                <button
                  type="button"
                  disabled={data.nextBefore === undefined}
                  onClick={() =>
                    data.nextBefore && setCursors((c) => [...c, data.nextBefore ?? ''])
                  }
                >
                  Older
                </button>
              </nav>
            </div>
          )}
          {openId && (
            <CallbackDetail
              key={openId}
              id={openId}
              timezone={timezone}
              canWrite={canWrite}
              onChanged={refresh}
              onClose={() => setOpenId(undefined)}
            />
          )}
        </div>
      </section>
    </div>
  );
}
