import { useState } from 'react';
import { api } from '../api.js';
import { LoadError } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { localDate, formatInZone, timeInZone } from '../time.js';
import type { SlotReport, SlotUse } from '../types.js';

const BAR = 14;
const GAP = 4;
const HEIGHT = 80;

function DayBars({ slots, timezone }: { slots: SlotUse[]; timezone: string }) {
  const max = Math.max(1, ...slots.map((s) => s.capacity));
  const width = slots.length * (BAR + GAP);
  const booked = slots.reduce((n, s) => n + s.booked, 0);
  const capacity = slots.reduce((n, s) => n + s.capacity, 0);
  const first = slots[0];
  const last = slots[slots.length - 1];
  return (
    <figure className="day-chart">
      <figcaption>
        <strong>
          {first ? formatInZone(first.utcTime, timezone).split(',').slice(0, 2).join(',') : ''}
        </strong>{' '}
        <span className="muted">
          {booked} booked of {capacity}
          {first && last
            ? ` · ${timeInZone(first.utcTime, timezone)} – last slot ${timeInZone(last.utcTime, timezone)}`
            : ''}
        </span>
      </figcaption>
      <svg
        width={width}
        height={HEIGHT + 2}
        role="img"
        aria-label={`${booked} of ${capacity} booked`}
      >
        {slots.map((s, i) => {
          const x = i * (BAR + GAP);
          const full = (s.capacity / max) * HEIGHT;
          const used = (s.booked / max) * HEIGHT;
          return (
            <g key={s.utcTime}>
              <title>{`${timeInZone(s.utcTime, timezone)}: ${s.booked} of ${s.capacity} booked`}</title>
              <rect x={x} y={HEIGHT - full + 1} width={BAR} height={full} className="cap" />
              <rect
                x={x}
                y={HEIGHT - used + 1}
                width={BAR}
                height={used}
                className={s.free === 0 ? 'used full' : 'used'}
              />
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** Booked versus capacity per slot, for today and the next days, in the queue's zone. */
export function SlotChart({ queues }: { queues: string[] }) {
  const [queue, setQueue] = useState(queues[0] ?? '');
  const [days, setDays] = useState(3);
  const current = queues.includes(queue) ? queue : (queues[0] ?? '');
  const report = useLoad(
    () =>
      current === ''
        ? Promise.resolve(undefined)
        : api<SlotReport>(`/queues/${encodeURIComponent(current)}/slots?days=${days}`),
    `${current}:${days}`,
  );
  const tz = report.data?.timezone ?? 'UTC';
  const byDay = new Map<string, SlotUse[]>();
  for (const s of report.data?.slots ?? []) {
    const d = localDate(s.utcTime, tz);
    byDay.set(d, [...(byDay.get(d) ?? []), s]);
  }
  return (
    <section className="card chart" aria-label="Booked versus capacity">
      <div className="section-head">
        <h3>Booked vs capacity</h3>
        <label>
          Queue
          <select value={current} onChange={(e) => setQueue(e.target.value)}>
            {queues.map((q) => (
              <option key={q}>{q}</option>
            ))}
          </select>
        </label>
        <label>
          Days
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={1}>Today</option>
            <option value={3}>3 days</option>
            <option value={7}>7 days</option>
          </select>
        </label>
      </div>
      {report.error !== undefined && <LoadError error={report.error} feature="The slot chart" />}
      {report.data && (
        <>
          <p className="legend muted">
            <span>
              <span className="swatch cap" /> capacity
            </span>
            <span>
              <span className="swatch used" /> booked
            </span>
            <span>
              <span className="swatch full" /> full
            </span>
            <span>times in {tz}</span>
          </p>
          {byDay.size === 0 && <p className="muted">No open slots in this period.</p>}
          <div className="days">
            {[...byDay.entries()].map(([d, slots]) => (
              <DayBars key={d} slots={slots} timezone={tz} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
