import { secondsUntilClose } from '../domain/calendar.js';
import { IN_QUEUE_STATES, STATE } from '../domain/callback-state.js';
import { AppError } from '../domain/errors.js';
import {
  immediateOfferHoursOpenFor,
  isWithinImmediateOfferTime,
  queueOffer,
} from '../domain/offer.js';
import type { QueueSettings } from '../domain/queue-settings.js';
import { type Slot, slots as slotsBetween } from '../domain/slots.js';
import {
  DAY_MS,
  HOUR_MS,
  addLocalDays,
  endOfLocalDay,
  formatLocal,
  formatUtc,
} from '../domain/time.js';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';
import { AnswerMemo } from '../infra/answer-memo.js';
import type { BookingService } from './booking.js';
import type { QueueActivity } from '../infra/queue-activity.js';
import { QueueFigures } from '../infra/queue-figures.js';
import type { Clock } from '../infra/clock.js';
import type { QueueService } from './queues.js';
import { checkTimeZone } from './tenants.js';
import type { EwtMode, WaitTimeService } from './wait-time.js';

const MAX_AVAILABILITY_DAYS = 31;

export interface AvailabilityQuery {
  startMs?: number | undefined;
  endMs?: number | undefined;
  numberOfDays?: number | undefined;
  timezone?: string | undefined;
  maxTimeSlots?: number | undefined;
  reportBusy?: boolean | undefined;
}

/** One slot of an availability answer (GES field names). */
export interface AvailabilitySlot {
  readonly utcTime: string;
  readonly localTime: string;
  /** Remaining capacity. */
  readonly capacity: number;
  readonly total: number;
}

/** An availability answer, built afresh for each caller that asks for the object. */
export interface Availability {
  readonly slots: readonly AvailabilitySlot[];
  readonly durationMin: number;
  /** The zone of every `localTime`: the request's, UTC when it named none (GES). */
  readonly timezone: string;
  /** The queue's own zone (an OpenCallback field GES clients ignore), for naming it to people. */
  readonly serviceTimezone: string;
}

/**
 * An availability answer as remembered: the same handle for the same question until the queue's
 * settings or booked counts change, and the answer itself built only when asked. A week's slots
 * are ~100 KB as objects; thousands of queues' answers are remembered as their compressed bytes,
 * kept beside the handle by whoever sends them (http/remembered.ts).
 */
export interface RememberedAvailability {
  build(): Availability;
}

export interface OpenForQuery {
  startMs?: number | undefined;
  timezone?: string | undefined;
  queryImmediateOfferHours?: boolean | undefined;
  returnWithinImmediateOfferTime?: boolean | undefined;
  checkImmediateEnabled?: boolean | undefined;
}

/** `resultCode` of an estimated-wait-time entry: 0 estimated, else why not. */
export const EWT_RESULT = { estimated: 0, unknown: 1, notFound: 40402 } as const;

/** What a client asks before booking: slots, opening, queue status, wait times. */
export class QueueInfoService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly waitTime: WaitTimeService,
    private readonly booking: BookingService,
    activity: QueueActivity,
    memoryBytes = 56 * 2 ** 20,
  ) {
    // Answers are far larger than the counts they come from: most of the budget is theirs.
    this.bookedSlots = new QueueFigures<Map<number, number>>(
      activity,
      () => clock.now(),
      sameCounts,
      undefined,
      { budgetBytes: memoryBytes / 7, sizeOf: (counts) => 100 + counts.size * BYTES_PER_COUNT },
    );
    this.answers = new AnswerMemo((memoryBytes * 6) / 7, (answer) => answer.bytes);
  }

  // Booked counts per slot, read for whole UTC days so that every visitor asking about the same
  // days (from any "now") shares one answer. Counts read again unchanged stay the same object, so
  // the answers remembered for them do too.
  private readonly bookedSlots: QueueFigures<Map<number, number>>;

  // Availability is piecewise constant in "now": it changes only when a slot starts, the booked
  // counts are read afresh (a booking here, or the figures' max age) or the settings change. So
  // answers are remembered per (settings, booked counts) and the question that picks the slots.
  private readonly answers: AnswerMemo<
    QueueSettings,
    Map<number, number>,
    RememberedAvailability & { bytes: number }
  >;

  private booked(tenantId: string, serviceName: string, fromMs: number, toMs: number) {
    const from = Math.floor(fromMs / DAY_MS) * DAY_MS;
    const to = Math.ceil(toMs / DAY_MS) * DAY_MS;
    return this.bookedSlots.get(tenantId, serviceName, `${from} ${to}`, () =>
      this.store.callbacks.activeBySlot(tenantId, serviceName, from, to, this.store.db.kysely),
    );
  }

  /** Open slots of a queue in a range (GES availability). */
  async availability(
    tenantId: string,
    serviceName: string,
    q: AvailabilityQuery,
  ): Promise<RememberedAvailability> {
    const settings = await this.queues.get(tenantId, serviceName);
    const now = this.clock.now();
    // localTime is written in the zone asked for, UTC without one (GES); days are counted in
    // that zone, or the office's own when none was asked for.
    const timezone = q.timezone === undefined ? 'UTC' : checkTimeZone(q.timezone);
    const dayZone = q.timezone === undefined ? settings.timezone : timezone;
    const start = q.startMs ?? now;
    let end: number;
    if (q.endMs !== undefined) end = q.endMs;
    // Calendar days in the zone: a week across a DST change is 167 or 169 real hours.
    else if (q.numberOfDays !== undefined) {
      end = addLocalDays(start, q.numberOfDays, dayZone);
    } else end = endOfLocalDay(start, dayZone);
    if (end <= start) throw new AppError('INVALID_PARAMETER', 'end must be after start');
    // An hour of slack lets 31 calendar days across a DST change through.
    if (end - start > MAX_AVAILABILITY_DAYS * DAY_MS + HOUR_MS) {
      throw new AppError(
        'INVALID_PARAMETER',
        `the range may span at most ${MAX_AVAILABILITY_DAYS} days`,
      );
    }
    const slots = slotsBetween(settings, start, end, now);
    const booked = await this.booked(
      tenantId,
      settings.name,
      start - settings.slotDurationMinutes * 60_000,
      end,
    );
    const reportBusy = q.reportBusy === true;
    const { maxTimeSlots } = q;
    // The settings tile one fixed grid, so its first slot and their number name the slots.
    const key = `${timezone} ${reportBusy} ${maxTimeSlots} ${slots[0]?.start} ${slots.length}`;
    return this.answers.get(settings, booked, key, () =>
      rememberedAvailability(settings, slots, booked, { timezone, reportBusy, maxTimeSlots }),
    );
  }

  /** Seconds until the office closes, with the optional immediate-offer fields. */
  async openFor(tenantId: string, serviceName: string, q: OpenForQuery) {
    const settings = await this.queues.get(tenantId, serviceName);
    if (q.timezone !== undefined) checkTimeZone(q.timezone);
    const now = q.startMs ?? this.clock.now();
    const result: {
      openFor: number;
      immediateOfferHoursOpenFor?: number;
      isWithinImmediateOfferTime?: boolean;
      isImmediateEnabled?: boolean;
    } = { openFor: secondsUntilClose(settings.businessHours, settings.timezone, now) };
    if (q.queryImmediateOfferHours === true) {
      result.immediateOfferHoursOpenFor = immediateOfferHoursOpenFor(settings, now);
    }
    if (q.returnWithinImmediateOfferTime === true) {
      const ewt = await this.waitTime.estimate(tenantId, settings.name);
      result.isWithinImmediateOfferTime = isWithinImmediateOfferTime(settings, now, ewt);
    }
    if (q.checkImmediateEnabled === true) result.isImmediateEnabled = settings.immediateEnabled;
    return result;
  }

  /** EWT and what may be offered now (GES queue-status). */
  async queueStatus(tenantId: string, serviceName: string) {
    const settings = await this.queues.get(tenantId, serviceName);
    const { estimate, agents } = await this.waitTime.estimateWithAgents(tenantId, settings.name);
    // No agent logged in: nobody's wait can be estimated, whatever the queue's history says.
    const ewt = agents?.loggedIn === 0 ? -1 : estimate;
    return { ewt, ...queueOffer(settings, this.clock.now(), ewt, agents?.loggedIn) };
  }

  /**
   * EWT of several queues, each with a GES `resultCode` (EWT_RESULT); an unknown queue answers
   * -1 with a message. `includeCallsOnHold` counts callbacks already handed to a dialer (ROUTING)
   * as still ahead of a newcomer.
   */
  async estimatedWaitTimes(
    tenantId: string,
    names: string[],
    mode: EwtMode,
    includeCallsOnHold = false,
  ) {
    return Promise.all(
      names.map(async (virtualQueue) => {
        const settings = await this.queues.find(tenantId, virtualQueue);
        if (!settings) {
          return {
            virtualQueue,
            estimatedWaitTime: -1,
            resultCode: EWT_RESULT.notFound,
            message: 'Service not found',
          };
        }
        const onHold = includeCallsOnHold
          ? ((await this.store.queueStats.activeByState(tenantId, settings.name)).get(
              STATE.ROUTING,
            ) ?? 0)
          : 0;
        const estimatedWaitTime = await this.waitTime.estimate(
          tenantId,
          settings.name,
          mode,
          onHold,
        );
        if (estimatedWaitTime >= 0) {
          return { virtualQueue, estimatedWaitTime, resultCode: EWT_RESULT.estimated };
        }
        return {
          virtualQueue,
          estimatedWaitTime,
          resultCode: EWT_RESULT.unknown,
          message: 'Cannot be estimated yet: no agent logged in or no callback handled recently',
        };
      }),
    );
  }

  /** The GES retrieve view of a callback, with position and wait while it waits. */
  async retrieve(tenantId: string, id: string) {
    const row = await this.booking.get(tenantId, id);
    return this.view(row);
  }

  /** The GES view of a callback row. */
  async view(row: CallbackRow) {
    const base = {
      id: row.id,
      serviceName: row.service_name,
      desiredTime: formatUtc(row.desired_time),
      callbackState: row.state,
      ...(row.reason === null ? {} : { callbackReason: row.reason }),
      phoneNumber: row.phone_number,
    };
    if (!IN_QUEUE_STATES.includes(row.state)) return base;
    if (row.state !== STATE.QUEUED) {
      // Being routed or on the call: first in line, no wait left.
      return { ...base, positionInQueue: 0, estimatedWaitTime: 0 };
    }
    const position = await this.booking.positionInQueue(row);
    // Its wait is the queue's EWT model applied to the callbacks ahead of it.
    const wait = await this.waitTime.waitBehind(row.tenant_id, row.service_name, position - 1);
    return { ...base, positionInQueue: position, estimatedWaitTime: wait };
  }
}

// Estimates of what a remembered figure or answer holds in memory: a Map entry of two numbers;
// an answer's handle with its slots (a reference and a count each), and its compressed bytes kept
// beside it for sending (gzip ~6 and brotli ~3 bytes per slot of a week, bench/README.md).
const BYTES_PER_COUNT = 40;
const BYTES_PER_ANSWER = 1000;
const BYTES_PER_SLOT = 24;

/**
 * The handle of an answer: it keeps what the answer needs and no more (a handle outlives the
 * settings and counts it was made from), and builds the answer when asked.
 */
function rememberedAvailability(
  settings: QueueSettings,
  slots: readonly Slot[],
  booked: ReadonlyMap<number, number>,
  question: { timezone: string; reportBusy: boolean; maxTimeSlots: number | undefined },
) {
  const { timezone, reportBusy, maxTimeSlots } = question;
  const { slotDurationMinutes: durationMin, timezone: serviceTimezone } = settings;
  const free = Int32Array.from(slots, (s) => Math.max(0, s.capacity - (booked.get(s.start) ?? 0)));
  return {
    bytes: BYTES_PER_ANSWER + slots.length * BYTES_PER_SLOT,
    build: (): Availability => ({
      slots: openSlots(slots, free, timezone, reportBusy, maxTimeSlots),
      durationMin,
      timezone,
      serviceTimezone,
    }),
  };
}

/** The slots with their remaining capacity (`free`, by index); full ones only when reportBusy. */
function openSlots(
  slots: readonly Slot[],
  free: Int32Array,
  timezone: string,
  reportBusy: boolean,
  maxTimeSlots: number | undefined,
): AvailabilitySlot[] {
  const out: AvailabilitySlot[] = [];
  for (const [i, s] of slots.entries()) {
    const capacity = free[i] ?? 0;
    if (capacity === 0 && !reportBusy) continue;
    out.push({
      utcTime: formatUtc(s.start),
      localTime: formatLocal(s.start, timezone),
      capacity,
      total: s.capacity,
    });
    if (maxTimeSlots !== undefined && out.length >= maxTimeSlots) break;
  }
  return out;
}

function sameCounts(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [slot, n] of a) if (b.get(slot) !== n) return false;
  return true;
}
