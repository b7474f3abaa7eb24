import { parseQueueSettings, type QueueSettings } from '../src/domain/queue-settings.js';

export const TENANT = 'bench';
/** The queues the seed and the booking, reading and dialer scenarios spread over. */
export const QUEUE_COUNT = 50;
/** The queue the purge scenario fills and purges (kept apart so it skews nothing else). */
export const PURGE_QUEUE = 'eod-purge';

/**
 * A fixed-offset zone in which `now` is close to local noon. Business hours 07:00–22:00 then
 * always hold the run with hours to spare, so the figures do not depend on the time of day the
 * bench is started (a closed queue answers differently and refuses immediate callbacks).
 */
export function noonZone(now: number): string {
  const utcHours = new Date(now).getUTCHours() + new Date(now).getUTCMinutes() / 60;
  const offset = Math.round(12 - utcHours);
  // POSIX sign convention: Etc/GMT-9 is nine hours ahead of UTC.
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** The raw settings (as the tenant configuration file holds them) of one bench queue. */
function queueConfig(name: string, timezone: string) {
  return {
    name,
    timezone,
    businessHours: {
      weekly: Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['07:00', '22:00']]]),
      ),
    },
    slotDurationMinutes: 15,
    // A busy queue's numbers: the seed books a few callbacks per slot, far below these.
    slotCapacity: 50,
    enforceCapacityOnCreate: true,
    maxQueuedImmediate: 5_000,
  };
}

/** `q01` … `q50`. */
export const queueNames: readonly string[] = Array.from(
  { length: QUEUE_COUNT },
  (_, i) => `q${String(i + 1).padStart(2, '0')}`,
);

/** The bench tenant's configuration file content: the 50 queues and the purge queue. */
export function tenantConfig(timezone: string) {
  return {
    tenants: [
      {
        id: TENANT,
        queues: [...queueNames, PURGE_QUEUE].map((name) => queueConfig(name, timezone)),
      },
    ],
  };
}

/** The parsed settings of a bench queue, as the service holds them. */
export function queueSettings(name: string, timezone: string): QueueSettings {
  return parseQueueSettings(queueConfig(name, timezone));
}

/** `mq01`… : the tenants of the many-queues scenario, each with its queues `q001`…. */
export function manyQueuesLayout(tenants: number, queuesPerTenant: number) {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return Array.from({ length: tenants }, (_, t) => ({
    id: `mq${pad(t + 1, 2)}`,
    queues: Array.from({ length: queuesPerTenant }, (_, q) => `q${pad(q + 1, 3)}`),
  }));
}

/** The configuration file of the many-queues tenants (the bench queues' settings). */
export function manyQueuesConfig(timezone: string, layout: ReturnType<typeof manyQueuesLayout>) {
  return {
    tenants: layout.map((t) => ({
      id: t.id,
      queues: t.queues.map((name) => queueConfig(name, timezone)),
    })),
  };
}
