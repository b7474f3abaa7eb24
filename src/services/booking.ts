import {
  offerTypeOf,
  duplicateLimit,
  nearestFreeSlots,
  resolveDesiredTime,
  sanitizeUserData,
} from '../domain/booking.js';
import {
  ACTIVE_STATES,
  CANCELLABLE_STATES,
  RESCHEDULABLE_STATES,
  STATE,
  initialState,
  type CallbackState,
} from '../domain/callback-state.js';
import { slotContaining, slots as slotsBetween, type Slot } from '../domain/slots.js';
import { AppError } from '../domain/errors.js';
import { normalizePhoneNumber } from '../domain/phone.js';
import { phoneMemo } from '../infra/phone-memo.js';
import type { QueueSettings } from '../domain/queue-settings.js';
import { endOfLocalDay, formatUtc, parseInstant, startOfLocalDay } from '../domain/time.js';
import type { CreateCallbackInput } from '../http/schemas/callbacks.js';
import type { Queryable, Tx } from '../store/db.js';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { Store } from '../store/index.js';
import { newUuidV7 } from '../security/tokens.js';
import type { CallbackEventWriter } from './event-writer.js';
import type { Clock } from '../infra/clock.js';
import type { QueueService } from './queues.js';

/** Optional checks a deployment plugs in (CAPTCHA comes with the integrations). */
export interface BookingGuards {
  verifyCaptcha?: (tenantId: string, token: string | undefined) => Promise<void>;
}

const PROPOSALS = 5;
const PROPOSAL_WINDOW_MS = 7 * 86_400_000;

/**
 * The start of the local day holding `now`, remembered per time zone until that day ends: the
 * daily throttle needs it on every booking, and a Temporal round trip cost more than the rest of
 * the throttle check.
 */
class LocalDays {
  private readonly days = new Map<string, { start: number; end: number }>();

  startOf(now: number, timeZone: string): number {
    const day = this.days.get(timeZone);
    if (day && day.start <= now && now < day.end) return day.start;
    const start = startOfLocalDay(now, timeZone);
    this.days.set(timeZone, { start, end: endOfLocalDay(now, timeZone) });
    return start;
  }
}

/** Booking, cancelling, rescheduling and reading callbacks. */
export class BookingService {
  private readonly localDays = new LocalDays();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly queues: QueueService,
    private readonly eventWriter: CallbackEventWriter,
    private readonly guards: BookingGuards = {},
  ) {}

  // ~1 MB at most: a parsed number is a few short strings.
  private readonly parsePhone = phoneMemo(10_000);

  /**
   * Books a callback under every rule of SPEC "Create"; returns the stored row. `by: 'staff'`
   * (console users, admin keys) skips the CAPTCHA, which tells people from bots on public sites.
   */
  async create(
    tenantId: string,
    input: CreateCallbackInput,
    by: 'public' | 'staff' = 'public',
  ): Promise<CallbackRow> {
    const now = this.clock.now();
    const settings = await this.queues.get(tenantId, input.serviceName);
    const phone = normalizePhoneNumber(input.phoneNumber, settings.numberRule, this.parsePhone);
    const desired = resolveDesiredTime(
      input.desiredTime === undefined ? undefined : parseInstant(input.desiredTime, 'desiredTime'),
      now,
      settings,
    );
    const userData = sanitizeUserData(input.userData);
    if (by === 'public') await this.guards.verifyCaptcha?.(tenantId, input.captchaToken);
    const checkCapacity =
      !desired.immediate &&
      (input.alwaysCheckCapacity === true || settings.enforceCapacityOnCreate);
    const slot = desired.immediate ? undefined : slotContaining(settings, desired.desiredMs);

    const id = newUuidV7(now);
    const row: CallbackRow = {
      id,
      tenant_id: tenantId,
      service_name: settings.name,
      phone_number: phone,
      desired_time: desired.desiredMs,
      requested_at: now,
      immediate: desired.immediate ? 1 : 0,
      state: initialState(desired.immediate),
      reason: null,
      priority: input.priority ?? settings.priority,
      attempts: 0,
      slot_start: slot?.start ?? null,
      user_data: JSON.stringify(userData),
      details: JSON.stringify(reportingDetails(input, desired.immediate)),
      lease_owner: null,
      lease_expires_at: null,
      claimed_at: null,
      upcoming_notified_at: null,
      created_at: now,
      updated_at: now,
      completed_at: null,
    };

    if (this.store.db.caps.writingCte && (!checkCapacity || slot)) {
      const shape = desired.immediate ? 'immediate' : checkCapacity ? 'slot' : 'plain';
      if (await this.bookAtOnce(row, settings, shape, slot, now)) return row;
    }
    // Bookings made together share a commit where the store can (see groupedTransaction): a
    // broken rule comes back as the refusal. Only the last check, taking a place in the immediate
    // queue, writes, and only once it admits.
    await this.store.db.groupedTransaction(
      async (trx) => {
        try {
          // Per-number and per-queue locks make the counting checks race-free on every node.
          await this.store.db.lock(trx, numberLock(row));
          await this.checkNumberLimits(trx, tenantId, settings, phone, now);
          if (checkCapacity) {
            await this.checkSlotCapacity(trx, tenantId, settings, desired.desiredMs, slot, now);
          }
          if (desired.immediate) await this.takeQueueRoom(trx, tenantId, settings);
          return undefined;
        } catch (error) {
          if (error instanceof AppError) return error;
          throw error;
        }
      },
      async (trx) => {
        await this.store.callbacks.insert(row, trx);
        // Every booking is first "created" (subscribers to it hear of each one), then enters its
        // state: an immediate one is queued at once.
        await this.eventWriter.record(trx, [row], eventTypesOf(row), now);
      },
    );
    return row;
  }

  /**
   * Books in one statement under the number's and the queue's or slot's locks, where the store
   * can (CallbackRepo.book): true once booked; a broken rule is thrown. False when the immediate
   * queue's recorded bound is at the limit (or none is recorded yet): the transactional path then
   * counts the queue again (takeQueueRoom).
   */
  private async bookAtOnce(
    row: CallbackRow,
    settings: QueueSettings,
    shape: 'immediate' | 'slot' | 'plain',
    slot: Slot | undefined,
    now: number,
  ): Promise<boolean> {
    const limits = numberLimits(settings);
    const place =
      shape === 'immediate'
        ? {
            key: immediateLock(row.tenant_id, settings.name),
            args: { cap: settings.maxQueuedImmediate },
          }
        : shape === 'slot' && slot
          ? {
              key: slotLock(row.tenant_id, settings.name, slot.start),
              args: { slotStart: slot.start, capacity: slot.capacity },
            }
          : undefined;
    const outcome = await this.store.callbacks.book(
      shape,
      place ? [numberLock(row), place.key] : [numberLock(row)],
      {
        row: JSON.stringify(row),
        tenantId: row.tenant_id,
        serviceName: settings.name,
        phoneNumber: row.phone_number,
        sinceMs: this.localDays.startOf(now, settings.timezone),
        maxToday: limits.perDay,
        maxActive: limits.active,
        types: eventTypesOf(row),
        now,
        ...place?.args,
      },
    );
    if (outcome.inserted) {
      this.eventWriter.recorded([row]);
      return true;
    }
    const refusal = numberRefusal(settings, row.phone_number, {
      createdSince: Number(outcome.since),
      active: Number(outcome.active),
    });
    if (refusal) throw refusal;
    if (shape === 'slot' && slot) {
      throw await this.slotFull(
        this.store.db.kysely,
        row.tenant_id,
        settings,
        row.desired_time,
        slot,
        now,
      );
    }
    return false;
  }

  /**
   * Takes a place in the queue's immediate queue, or refuses with 42903 when it already holds
   * maxQueuedImmediate active immediate callbacks. Counting them walked an index entry per waiting
   * callback on every booking (~200 µs at a thousand waiting); instead the queue's recorded bound
   * on them is raised while it is below the limit. The bound never understates: only bookings add
   * active immediate callbacks, each raising it under the queue's lock, and completions leave it.
   * So only a bound at the limit is counted again, which also brings it back down to the truth.
   */
  private async takeQueueRoom(trx: Tx, tenantId: string, settings: QueueSettings): Promise<void> {
    const cap = settings.maxQueuedImmediate;
    await this.store.db.lock(trx, immediateLock(tenantId, settings.name));
    if (await this.store.callbacks.raiseImmediateBound(tenantId, settings.name, cap, trx)) return;
    const active = await this.store.callbacks.activeImmediate(tenantId, settings.name, cap, trx);
    if (active >= cap) {
      throw new AppError('QUEUE_FULL', `Service "${settings.name}" has too many waiting callbacks`);
    }
    await this.store.callbacks.recordImmediateBound(tenantId, settings.name, active + 1, trx);
  }

  private async checkNumberLimits(
    trx: Tx,
    tenantId: string,
    settings: QueueSettings,
    phone: string,
    now: number,
  ): Promise<void> {
    const usage = await this.store.callbacks.numberUsage(
      tenantId,
      settings.name,
      phone,
      this.localDays.startOf(now, settings.timezone),
      trx,
    );
    const refusal = numberRefusal(settings, phone, usage);
    if (refusal) throw refusal;
  }

  /**
   * Refuses a full (or closed) slot with 42901 and the nearest free slots. `target` is the slot
   * holding the desired time (undefined outside every slot); `heldSlot` is the slot the callback
   * already occupies (on reschedule): moving inside it takes no new place.
   */
  private async checkSlotCapacity(
    trx: Tx,
    tenantId: string,
    settings: QueueSettings,
    desiredMs: number,
    target: Slot | undefined,
    now: number,
    heldSlot: number | null = null,
  ): Promise<void> {
    if (target && target.start === heldSlot) return;
    if (target) {
      await this.store.db.lock(trx, slotLock(tenantId, settings.name, target.start));
      const booked = await this.store.callbacks.bookedInSlot(
        tenantId,
        settings.name,
        target.start,
        trx,
      );
      if (booked < target.capacity) return;
    }
    throw await this.slotFull(trx, tenantId, settings, desiredMs, target, now);
  }

  /** The 42901 refusal of a full slot (or a time outside every slot), with the nearest free slots. */
  private async slotFull(
    q: Queryable,
    tenantId: string,
    settings: QueueSettings,
    desiredMs: number,
    target: Slot | undefined,
    now: number,
  ): Promise<AppError> {
    const from = Math.max(now, desiredMs - PROPOSAL_WINDOW_MS);
    const to = desiredMs + PROPOSAL_WINDOW_MS;
    const counts = await this.store.callbacks.activeBySlot(tenantId, settings.name, from, to, q);
    const uses = slotsBetween(settings, from, to, now).map((s) => ({
      ...s,
      booked: counts.get(s.start) ?? 0,
    }));
    const proposals = nearestFreeSlots(uses, desiredMs, PROPOSALS).map((s) => ({
      utcTime: formatUtc(s.start),
      capacity: s.capacity - s.booked,
      total: s.capacity,
    }));
    // GES clients parse `slots` as a map of slot time to remaining capacity (both strings); the
    // fuller list, with each slot's total, has a field of its own.
    const slots = Object.fromEntries(proposals.map((p) => [p.utcTime, String(p.capacity)]));
    return new AppError(
      'SLOT_FULL',
      target ? 'The requested slot is full' : 'The requested time is not in an open slot',
      { slots, proposals },
    );
  }

  /** A tenant's callback or 40401 (also for another tenant's id). */
  async get(tenantId: string, id: string): Promise<CallbackRow> {
    const row = await this.store.callbacks.get(tenantId, id);
    if (!row) throw new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`);
    return row;
  }

  /** Cancels a waiting callback; a PROCESSING or completed one answers 40902. */
  async cancel(tenantId: string, id: string, reason = 'CANCELLED'): Promise<CallbackRow> {
    const now = this.clock.now();
    return this.store.db.transaction(async (trx) => {
      const updated = await this.store.callbacks.transition(
        tenantId,
        id,
        CANCELLABLE_STATES,
        {
          state: STATE.COMPLETED,
          reason,
          completed_at: now,
          updated_at: now,
          lease_owner: null,
          lease_expires_at: null,
        },
        trx,
      );
      if (!updated) throw await this.stateError(trx, tenantId, id, 'cancelled');
      await this.eventWriter.record(trx, [updated], 'callback.cancelled', now);
      return updated;
    });
  }

  /** Moves a waiting callback to a new desired time (capacity checked when the queue enforces it). */
  async reschedule(tenantId: string, id: string, desiredTime: string, checkCapacity?: boolean) {
    const now = this.clock.now();
    const current = await this.get(tenantId, id);
    const settings = await this.queues.get(tenantId, current.service_name);
    const desired = resolveDesiredTime(parseInstant(desiredTime, 'desiredTime'), now, settings);
    const slot = desired.immediate ? undefined : slotContaining(settings, desired.desiredMs);
    // Brought forward to "now", it joins the immediate queue unless it already holds a place
    // there (waiting, or between attempts).
    const joinsQueue = desired.immediate && current.immediate !== 1;
    return this.store.db.transaction(async (trx) => {
      if (joinsQueue) await this.takeQueueRoom(trx, tenantId, settings);
      if (!desired.immediate && (checkCapacity === true || settings.enforceCapacityOnCreate)) {
        await this.checkSlotCapacity(
          trx,
          tenantId,
          settings,
          desired.desiredMs,
          slot,
          now,
          current.slot_start,
        );
      }
      const updated = await this.store.callbacks.transition(
        tenantId,
        id,
        RESCHEDULABLE_STATES,
        {
          desired_time: desired.desiredMs,
          state: initialState(desired.immediate),
          immediate: desired.immediate ? 1 : 0,
          slot_start: slot?.start ?? null,
          updated_at: now,
        },
        trx,
      );
      if (!updated) throw await this.stateError(trx, tenantId, id, 'rescheduled');
      await this.eventWriter.record(trx, [updated], 'callback.rescheduled', now);
      return updated;
    });
  }

  private async stateError(trx: Tx, tenantId: string, id: string, verb: string) {
    const row = await this.store.callbacks.get(tenantId, id, trx);
    if (!row) return new AppError('CALLBACK_NOT_FOUND', `Callback ${id} not found`);
    const state = row.state === STATE.COMPLETED ? `COMPLETED (${row.reason ?? ''})` : row.state;
    return new AppError('STATE_CONFLICT', `Callback ${id} is ${state} and cannot be ${verb}`);
  }

  /** Callbacks of a tenant by phone number, queue and states (active ones by default). */
  async query(
    tenantId: string,
    filter: {
      phoneNumber?: string;
      serviceName?: string;
      states?: CallbackState[];
      limit?: number;
    },
  ): Promise<CallbackRow[]> {
    let phoneNumber: string | undefined;
    if (filter.phoneNumber !== undefined) {
      const defaultCountry = filter.serviceName
        ? (await this.queues.get(tenantId, filter.serviceName)).numberRule.defaultCountry
        : 'US';
      // A look-up only needs the E.164 form: a number blocked since it booked is still found.
      phoneNumber = normalizePhoneNumber(
        filter.phoneNumber,
        {
          defaultCountry,
          permittedCountries: [],
          blocked: [],
        },
        this.parsePhone,
      );
    }
    return this.store.callbacks.find(tenantId, {
      phoneNumber,
      serviceName: filter.serviceName,
      states: filter.states ?? ACTIVE_STATES,
      limit: filter.limit ?? 100,
    });
  }

  /** Position among QUEUED callbacks (1 = next), for a QUEUED one. */
  async positionInQueue(row: CallbackRow): Promise<number> {
    return (await this.store.callbacks.countAhead(row, this.store.db.kysely)) + 1;
  }
}

// The advisory locks that make the counting checks race-free on every node (Db.lock).
const numberLock = (row: Pick<CallbackRow, 'tenant_id' | 'service_name' | 'phone_number'>) =>
  `number:${row.tenant_id}:${row.service_name}:${row.phone_number}`;
const immediateLock = (tenantId: string, queue: string) => `immediate:${tenantId}:${queue}`;
const slotLock = (tenantId: string, queue: string, start: number) =>
  `slot:${tenantId}:${queue}:${start}`;

/** A new callback's events: first "created" (subscribers hear of each), then an immediate one is queued. */
const eventTypesOf = (row: CallbackRow) =>
  row.immediate === 1 ? ['callback.created', 'callback.queued'] : ['callback.created'];

/** The number's limits: bookings per local day and active callbacks stay below them (null: none). */
function numberLimits(settings: QueueSettings) {
  const active = duplicateLimit(settings.duplicateCheck);
  return {
    perDay: settings.throttlePerNumberPerDay > 0 ? settings.throttlePerNumberPerDay : null,
    active: Number.isFinite(active) ? active : null,
  };
}

/** 42902 or 40901 when the number's usage reaches its limits (numberLimits). */
function numberRefusal(
  settings: QueueSettings,
  phone: string,
  usage: { createdSince: number; active: number },
): AppError | undefined {
  const limits = numberLimits(settings);
  const today = usage.createdSince;
  if (limits.perDay !== null && today >= limits.perDay) {
    return new AppError(
      'THROTTLED',
      `${phone} already has ${today} callbacks today in "${settings.name}" (limit ${limits.perDay})`,
    );
  }
  const active = usage.active;
  if (limits.active !== null && active >= limits.active) {
    return new AppError(
      'DUPLICATE_CALLBACK',
      `${phone} already has ${active} active callback${active === 1 ? '' : 's'} in "${settings.name}"`,
    );
  }
  return undefined;
}

function reportingDetails(input: CreateCallbackInput, immediate: boolean) {
  const pushTargets =
    input.pushTargets ??
    (input.pushChannel !== undefined && input.pushTarget !== undefined
      ? [{ channel: input.pushChannel, target: input.pushTarget }]
      : []);
  return {
    cbOfferType: offerTypeOf(input.cbOfferType, immediate),
    language: input.language ?? 'en-US',
    inboundVQ: input.inboundVQ,
    offerThreshold: input.offerThreshold,
    channel: input.channel,
    offerTiming: input.offerTiming,
    cbOriginationIxnId: input.cbOriginationIxnId,
    surveyRP: input.surveyRP,
    routePoint: input.routePoint,
    pushTargets,
  };
}
