import { useEffect, useMemo, useState } from 'react';
import { api } from '../api.js';
import { Loading } from '../components/Loading.js';
import { LoadError } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { dayInZone, localDate, timeInZone } from '../time.js';
import type { SlotReport } from '../types.js';
import { useZone } from '../zone.js';

interface Props {
  queue: string;
  /** The chosen slot's UTC start, or '' for none. */
  value: string;
  onChange: (utcTime: string) => void;
  /** Offer the free slot nearest this instant first (a reschedule starts near the booked time). */
  near?: string | undefined;
  idPrefix: string;
}

const DAYS_AHEAD = 14;

/** The free slot nearest `near` among `slots` (the first one without `near`). */
function nearest(slots: string[], near: string | undefined): string | undefined {
  if (near === undefined) return slots[0];
  const target = Date.parse(near);
  let best = slots[0];
  for (const s of slots) {
    if (
      best === undefined ||
      Math.abs(Date.parse(s) - target) < Math.abs(Date.parse(best) - target)
    )
      best = s;
  }
  return best;
}

/** Picks a free slot of a queue: a day, then a time, both in the display zone. */
export function SlotPicker({ queue, value, onChange, near, idPrefix }: Props) {
  const tz = useZone();
  const report = useLoad(
    () => api<SlotReport>(`/queues/${encodeURIComponent(queue)}/slots?days=${DAYS_AHEAD}`),
    queue,
  );
  const free = useMemo(
    () => (report.data?.slots ?? []).filter((s) => s.free > 0).map((s) => s.utcTime),
    [report.data],
  );
  const byDay = useMemo(() => {
    const days = new Map<string, string[]>();
    for (const t of free) {
      const day = localDate(t, tz);
      days.set(day, [...(days.get(day) ?? []), t]);
    }
    return days;
  }, [free, tz]);
  const start = nearest(free, near);
  const [day, setDay] = useState('');
  const dayKeys = [...byDay.keys()];
  const startDay = start === undefined ? '' : localDate(start, tz);
  const currentDay = byDay.has(day) ? day : startDay;
  const times = useMemo(() => byDay.get(currentDay) ?? [], [byDay, currentDay]);

  // Keep the chosen slot one of the offered ones, nearest the booked time to begin with.
  useEffect(() => {
    if (report.loading) return;
    if (!times.includes(value)) onChange(nearest(times, near) ?? '');
  }, [report.loading, times, value, onChange, near]);

  if (report.error !== undefined)
    return <LoadError error={report.error} feature="Slot availability" />;
  if (report.loading) return <Loading what="free slots" lines={2} />;
  if (dayKeys.length === 0)
    return (
      <p className="muted">
        No free slot in the next {DAYS_AHEAD} days. Raise the slot capacity or the opening hours in
        the Tools tab, or book as soon as possible.
      </p>
    );
  return (
    <div className="slot-picker">
      <label>
        Day
        <select id={`${idPrefix}-day`} value={currentDay} onChange={(e) => setDay(e.target.value)}>
          {dayKeys.map((d) => (
            <option key={d} value={d}>
              {dayInZone(byDay.get(d)?.[0] ?? d, tz)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Free slot
        <select id={`${idPrefix}-slot`} value={value} onChange={(e) => onChange(e.target.value)}>
          {times.map((t) => (
            <option key={t} value={t}>
              {timeInZone(t, tz)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
