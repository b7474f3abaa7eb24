import { useEffect, useMemo, useState } from 'react';
import { api } from '../api.js';
import { LoadError } from '../components/Notice.js';
import { useLoad } from '../hooks.js';
import { formatInZone, localDate, timeInZone } from '../time.js';
import type { SlotReport } from '../types.js';

interface Props {
  queue: string;
  /** The chosen slot's UTC start, or '' for none. */
  value: string;
  onChange: (utcTime: string) => void;
  idPrefix: string;
}

const DAYS_AHEAD = 14;

/** Picks a free slot of a queue: a day, then a time, both in the queue's time zone. */
export function SlotPicker({ queue, value, onChange, idPrefix }: Props) {
  const report = useLoad(
    () => api<SlotReport>(`/queues/${encodeURIComponent(queue)}/slots?days=${DAYS_AHEAD}`),
    queue,
  );
  const tz = report.data?.timezone ?? 'UTC';
  const byDay = useMemo(() => {
    const days = new Map<string, string[]>();
    for (const s of report.data?.slots ?? []) {
      if (s.free <= 0) continue;
      const day = localDate(s.utcTime, tz);
      days.set(day, [...(days.get(day) ?? []), s.utcTime]);
    }
    return days;
  }, [report.data, tz]);
  const [day, setDay] = useState('');
  const dayKeys = [...byDay.keys()];
  const currentDay = byDay.has(day) ? day : (dayKeys[0] ?? '');
  const times = useMemo(() => byDay.get(currentDay) ?? [], [byDay, currentDay]);

  // Keep the chosen slot one of the offered ones.
  useEffect(() => {
    if (report.loading) return;
    if (!times.includes(value)) onChange(times[0] ?? '');
  }, [report.loading, times, value, onChange]);

  if (report.error !== undefined)
    return <LoadError error={report.error} feature="Slot availability" />;
  if (report.loading) return <p className="muted">Loading free slots…</p>;
  if (dayKeys.length === 0)
    return <p className="muted">No free slot in the next {DAYS_AHEAD} days.</p>;
  return (
    <div className="slot-picker">
      <label>
        Day ({tz})
        <select id={`${idPrefix}-day`} value={currentDay} onChange={(e) => setDay(e.target.value)}>
          {dayKeys.map((d) => (
            <option key={d} value={d}>
              {formatInZone(byDay.get(d)?.[0] ?? d, tz)
                .split(',')
                .slice(0, 2)
                .join(',')}
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
