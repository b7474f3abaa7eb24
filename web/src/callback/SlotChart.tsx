import { api } from '../api.js';
import { Loading } from '../components/Loading.js';
import { LoadError } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { setParams, useRoute } from '../route.js';
import { dayInZone, localDate, timeInZone, wallTimeToIso } from '../time.js';
import type { SlotReport, SlotUse } from '../types.js';
import { useZone } from '../zone.js';

const HOURS = [0, 6, 12, 18, 24];
const MS_MIN = 60_000;

interface Day {
  date: string;
  start: number;
  end: number;
  slots: SlotUse[];
}

/** The local days from `from` to `to` in `zone`, each with its real length (DST days differ). */
function daysOf(from: string, to: string, zone: string, slots: SlotUse[]): Day[] {
  const days: Day[] = [];
  let date = localDate(from, zone);
  const last = localDate(Date.parse(to) - 1, zone);
  for (let i = 0; i < 32; i += 1) {
    const start = Date.parse(wallTimeToIso(`${date}T00:00`, zone) ?? from);
    // Noon of the next day, then back to its midnight: safe across DST changes.
    const next = localDate(start + 36 * 3600_000, zone);
    const end = Date.parse(wallTimeToIso(`${next}T00:00`, zone) ?? to);
    days.push({
      date,
      start,
      end,
      slots: slots.filter((s) => {
        const t = Date.parse(s.utcTime);
        return t >= start && t < end;
      }),
    });
    if (date === last) break;
    date = next;
  }
  return days;
}

/** "09:00–12:00, 13:00–17:00": the open spans of a day, from its consecutive slots. */
function openSpans(day: Day, durationMin: number, zone: string): string {
  const spans: [number, number][] = [];
  for (const s of day.slots) {
    const t = Date.parse(s.utcTime);
    const last = spans[spans.length - 1];
    if (last && last[1] === t) last[1] = t + durationMin * MS_MIN;
    else spans.push([t, t + durationMin * MS_MIN]);
  }
  const only = spans[0];
  if (spans.length === 1 && only && only[0] === day.start && only[1] >= day.end) return 'all day';
  // A span running to midnight ends at 24:00 of this day, not 00:00.
  const end = (b: number) => (b >= day.end ? '24:00' : timeInZone(b, zone));
  return spans.map(([a, b]) => `${timeInZone(a, zone)}–${end(b)}`).join(', ');
}

function DayRow({
  day,
  max,
  durationMin,
  zone,
  isFirst,
  now,
}: {
  day: Day;
  max: number;
  durationMin: number;
  zone: string;
  isFirst: boolean;
  /** The server's now: earlier hours of today are shaded as past, not shown as closed. */
  now: number;
}) {
  const length = day.end - day.start;
  const pct = (ms: number) => `${(ms / length) * 100}%`;
  const booked = day.slots.reduce((n, s) => n + s.booked, 0);
  const capacity = day.slots.reduce((n, s) => n + s.capacity, 0);
  const spans = openSpans(day, durationMin, zone);
  const past = Math.min(Math.max(now - day.start, 0), length);
  const name = dayInZone(day.start + 12 * 3600_000, zone);
  const summary =
    day.slots.length === 0
      ? `${name}: ${isFirst ? 'no more open slots today' : 'closed'}`
      : `${name}: ${booked} of ${capacity} booked; open ${spans}`;
  return (
    <div className="day-chart">
      <div className="day-caption">
        <strong>{name}</strong>{' '}
        <span className="muted small">
          {day.slots.length === 0
            ? isFirst
              ? 'No more open slots today'
              : 'Closed all day'
            : `${booked} of ${capacity} booked · open ${spans}`}
        </span>
      </div>
      <div className="bars" role="img" aria-label={summary}>
        {past > 0 && <span className="past" title="past" style={{ width: pct(past) }} />}
        {HOURS.map((h) => (
          <span key={h} className="gridline" style={{ left: pct(h * 3600_000) }} />
        ))}
        {day.slots.map((s) => {
          const left = Date.parse(s.utcTime) - day.start;
          const full = (s.capacity / max) * 100;
          const used = (s.booked / max) * 100;
          return (
            <span
              key={s.utcTime}
              className="slot"
              title={`${timeInZone(s.utcTime, zone)}: ${s.booked} of ${s.capacity} booked`}
              style={{ left: pct(left), width: pct(durationMin * MS_MIN) }}
            >
              <span className="cap" style={{ height: `${full}%` }} />
              <span
                className={s.free === 0 ? 'used full' : 'used'}
                style={{ height: `${used}%` }}
              />
            </span>
          );
        })}
      </div>
      <div className="axis" aria-hidden="true">
        {HOURS.map((h) => (
          <span
            key={h}
            style={{ left: pct(h * 3600_000) }}
            className={h === 0 ? 'first' : h === 24 ? 'last' : ''}
          >
            {String(h).padStart(2, '0')}:00
          </span>
        ))}
      </div>
    </div>
  );
}

interface Live {
  serviceName: string;
  waiting: number;
  scheduledToday: number;
}

/** Booked versus capacity per slot, for today and the next days, on a 24-hour axis per day. */
export function SlotChart({ queues }: { queues: string[] }) {
  const zone = useZone();
  const route = useRoute();
  const days = Number(route.params.get('days') ?? 3);
  // The busiest queue (most waiting and scheduled today) is the one worth a look first.
  const live = useLoad(() => api<{ items: Live[] }>('/stats/queues'), 'chart-live');
  const busiest = [...(live.data?.items ?? [])].sort(
    (a, b) => b.waiting + b.scheduledToday - (a.waiting + a.scheduledToday),
  )[0]?.serviceName;
  const asked = route.params.get('chart') ?? '';
  const current = queues.includes(asked)
    ? asked
    : busiest !== undefined && queues.includes(busiest)
      ? busiest
      : (queues[0] ?? '');
  const ready = queues.includes(asked) || !live.loading;
  const report = useLoad(
    () =>
      current === '' || !ready
        ? Promise.resolve(undefined)
        : api<SlotReport>(`/queues/${encodeURIComponent(current)}/slots?days=${days}`),
    `${current}:${days}:${ready}`,
  );
  const data = report.data;
  const max = Math.max(1, ...(data?.slots ?? []).map((s) => s.capacity));
  const list = data ? daysOf(data.from, data.to, zone, data.slots) : [];
  return (
    <section className="card chart" aria-labelledby="chart-title">
      <div className="section-head">
        <h3 id="chart-title">Booked vs capacity</h3>
        <label>
          Queue
          <select value={current} onChange={(e) => setParams({ chart: e.target.value }, true)}>
            {queues.map((q) => (
              <option key={q}>{q}</option>
            ))}
          </select>
        </label>
        <label>
          Days
          <select
            value={days}
            onChange={(e) =>
              setParams({ days: e.target.value === '3' ? undefined : e.target.value }, true)
            }
          >
            <option value={1}>Today</option>
            <option value={3}>3 days</option>
            <option value={7}>7 days</option>
          </select>
        </label>
      </div>
      {report.error !== undefined && <LoadError error={report.error} feature="The slot chart" />}
      {!data && report.error === undefined && <Loading what="the slot chart" />}
      {data && (
        <div className={report.loading ? 'stale' : ''} aria-busy={report.loading}>
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
            <span>
              <span className="swatch past" /> past
            </span>
            <span>one scale for all days: {max} per slot at the top</span>
          </p>
          <div className="days" data-testid="slot-chart">
            {list.map((d, i) => (
              <DayRow
                key={d.date}
                day={d}
                max={max}
                durationMin={data.durationMin}
                zone={zone}
                isFirst={i === 0}
                now={Date.parse(data.from)}
              />
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
