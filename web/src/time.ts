// Every time is shown in the one display zone named in the header (see zone.tsx), on a 24-hour
// clock; instants travel as UTC ISO strings.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withDate ? 'd' : 't'}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      ...(withDate ? { weekday: 'short', month: 'short', day: 'numeric' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/** "Wed, Nov 25, 10:00": an instant in a zone. */
export function formatInZone(iso: string | number, timeZone: string): string {
  return formatter(timeZone, true).format(new Date(iso));
}

/** "10:00": the time of day only. */
export function timeInZone(iso: string | number, timeZone: string): string {
  return formatter(timeZone, false).format(new Date(iso));
}

/** The local calendar date "YYYY-MM-DD" of an instant in a zone. */
export function localDate(iso: string | number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The UTC ISO instant of a wall time "YYYY-MM-DDTHH:MM" in a zone (a datetime-local value). */
export function wallTimeToIso(wall: string, timeZone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!m) return undefined;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Two passes settle the offset on either side of a DST change.
  let guess = asUtc - offsetAt(asUtc, timeZone);
  guess = asUtc - offsetAt(guess, timeZone);
  return new Date(guess).toISOString();
}

/** A datetime-local value "YYYY-MM-DDTHH:MM" for an instant in a zone. */
export function isoToWallTime(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  return new Date(ms + offsetAt(ms, timeZone)).toISOString().slice(0, 16);
}

/** Seconds as "4 min 10 s" ("unknown" for -1). */
export function formatSeconds(seconds: number): string {
  if (seconds < 0) return 'unknown';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "Wed, Nov 25": the local day of an instant. */
export function dayInZone(iso: string | number, timeZone: string): string {
  return formatInZone(iso, timeZone).split(',').slice(0, 2).join(',');
}

/** "in 2 h 5 min", "5 min ago", "now": how far an instant is from `now`. */
export function relativeTime(iso: string | number, now: number): string {
  const diff = new Date(iso).getTime() - now;
  const minutes = Math.round(Math.abs(diff) / 60_000);
  if (minutes < 1) return 'now';
  let text: string;
  if (minutes < 60) text = `${minutes} min`;
  else if (minutes < 48 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    text = m === 0 ? `${h} h` : `${h} h ${m} min`;
  } else text = `${Math.round(minutes / 1440)} days`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}
