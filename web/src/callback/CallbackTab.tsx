import { useState } from 'react';
import { adminUrl, api, query } from '../api.js';
import { Loading } from '../components/Loading.js';
import { LoadError, Notice } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { canWriteCallbacks } from '../roles.js';
import { setParams, useRoute, useTitle } from '../route.js';
import { formatInZone, wallTimeToIso } from '../time.js';
import type { CallbackPage, QueueSettings, Role } from '../types.js';
import { useZone } from '../zone.js';
import { BulkCancel } from './BulkCancel.js';
import { CallbackDetail } from './CallbackDetail.js';
import { CallbackTable, parseSort } from './CallbackTable.js';
import { CreateForm } from './CreateForm.js';
import { FilterForm } from './FilterForm.js';
import { RANGE_LABELS, filtersFrom, filtersToParams, type CallbackFilters } from './filters.js';
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
  const zone = useZone();
  const route = useRoute();
  const filters = filtersFrom(route.params);
  const openId = route.params.get('callback') ?? undefined;
  const sort = parseSort(route.params.get('sort'));
  const [cursors, setCursors] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [version, setVersion] = useState(0);
  const [done, setDone] = useState<string | undefined>();
  useTitle(openId ? `Callback ${openId.slice(0, 8)}…` : undefined, 'Callback');

  const queues = useLoad(() => api<{ items: QueueSettings[] }>('/queues'), 'queues');
  const queueNames = queues.data?.items.map((q) => q.name) ?? [];
  const sortText = route.params.get('sort') ?? undefined;
  // The server sorts the whole result; a page's cursor only continues the order it came from.
  const search = { ...searchParams(filters, zone), sort: sort && sortText };
  const params = { ...search, before: cursors[cursors.length - 1] };
  const page = useLoad(
    () => api<CallbackPage>(`/callbacks${query({ ...params, limit: PAGE_SIZE })}`),
    `${JSON.stringify(params)}:${version}`,
  );

  const refresh = () => setVersion((v) => v + 1);
  const open = (id: string | undefined) => setParams({ callback: id });
  const apply = (f: CallbackFilters) => {
    setCursors([]);
    setSelected(new Set());
    setParams({ ...filtersToParams(f), callback: undefined });
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
      <section className="overview" aria-labelledby="overview-title">
        <h2 id="overview-title" className="visually-hidden">
          Queues at a glance
        </h2>
        <QueueLivePanel />
        {queues.loading && !queues.data && <Loading what="queues" />}
        {queues.data && queues.data.items.length > 0 && <SlotChart queues={queueNames} />}
      </section>
      <section className="card">
        <div className="section-head">
          <h2>Callbacks</h2>
          <span className="muted" data-testid="range-caption" aria-live="polite">
            {page.loading || !data
              ? 'Loading…'
              : `${RANGE_LABELS[filters.range]} by ${filters.timeField} time: ${formatInZone(data.from, zone)} – ${formatInZone(data.to, zone)}`}
          </span>
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
                href={adminUrl(`/callbacks/export.csv${query(search)}`)}
                download
              >
                Export CSV
              </a>
            </>
          )}
        </div>
        {!canWrite && (
          <Notice kind="info">
            On this tab your role can look at callbacks but not change them.
          </Notice>
        )}
        {creating && (
          <CreateForm
            queues={queues.data?.items ?? []}
            onClose={() => setCreating(false)}
            onCreated={(c) => {
              setCreating(false);
              setDone(`Callback for ${c.phoneNumber} created (${c.state.toLowerCase()}).`);
              open(c.id);
              refresh();
            }}
          />
        )}
        <FilterForm
          key={JSON.stringify(filtersToParams(filters))}
          value={filters}
          queues={queueNames}
          onApply={apply}
        />
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
          {!data && page.loading && <Loading what="callbacks" lines={5} />}
          {data && (
            <div className={page.loading ? 'stale' : ''} aria-busy={page.loading}>
              <CallbackTable
                items={data.items}
                now={Date.parse(data.now)}
                sort={sort}
                onSort={(s) => {
                  setCursors([]);
                  setParams({ sort: s }, true);
                }}
                selectable={canWrite}
                selected={selected}
                onToggle={toggle}
                onToggleAll={toggleAll}
                onOpen={open}
                openId={openId}
                emptyHint={
                  filters.range === 'today' && filters.timeField === 'created'
                    ? 'Nothing was booked today yet. Try "Upcoming" to see what is scheduled, or a longer range.'
                    : 'Try a longer range, fewer states or another queue.'
                }
              />
              <nav className="pager" aria-label="Pages">
                <button
                  type="button"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors((c) => c.slice(0, -1))}
                >
                  Previous page
                </button>
                <span className="muted">Page {cursors.length + 1}</span>
                <button
                  type="button"
                  disabled={data.nextBefore === undefined}
                  onClick={() =>
                    data.nextBefore && setCursors((c) => [...c, data.nextBefore ?? ''])
                  }
                >
                  Next page
                </button>
              </nav>
            </div>
          )}
          {openId && (
            <CallbackDetail
              key={openId}
              id={openId}
              canWrite={canWrite}
              onChanged={refresh}
              onClose={() => open(undefined)}
            />
          )}
        </div>
      </section>
    </div>
  );
}
