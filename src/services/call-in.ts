import { randomInt } from 'node:crypto';
import { sanitizeUserData } from '../domain/booking.js';
import {
  accessCodeSpace,
  allocateNumber,
  callInNumber,
  parseCallInGroup,
  type CallInGroup,
} from '../domain/call-in.js';
import { AppError } from '../domain/errors.js';
import { formatUtc } from '../domain/time.js';
import { newUuidV7 } from '../security/tokens.js';
import type { CallInGroupRow, CallInRequestRow } from '../store/repos/call-in.js';
import type { Store } from '../store/index.js';
import type { Actor, AuditService } from './audit.js';
import type { BookingService } from './booking.js';
import type { Clock } from '../infra/clock.js';

/** The create request of GES click-to-call-in. */
export interface CallInCreateInput {
  groupName: string;
  fromPhoneNumber?: string | undefined;
  userData?: unknown;
  callbackServiceId?: string | undefined;
}

/** What an IVR knows when the customer calls in. */
export interface CallInMatchInput {
  toPhoneNumber: string;
  accessCode?: string | undefined;
  fromPhoneNumber?: string | undefined;
}

const RECORD_RETENTION_MS = 30 * 86_400_000;

function groupOf(row: CallInGroupRow): CallInGroup & { source: string; updatedAt: string } {
  return {
    name: row.name,
    numbers: JSON.parse(row.numbers) as string[],
    accessCodeEnabled: row.access_code_enabled === 1,
    accessCodeLength: row.access_code_length,
    expirySeconds: row.expiry_seconds,
    source: row.source,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The GES answer to create: where to call, with which code, until when. */
function requestView(row: CallInRequestRow) {
  return {
    id: row.id,
    toPhoneNumber: row.to_phone_number,
    groupName: row.group_name,
    expirationTime: row.expires_at,
    ...(row.access_code === null ? {} : { accessCode: row.access_code }),
    ...(row.from_phone_number === null ? {} : { fromPhoneNumber: row.from_phone_number }),
    ...(row.callback_service_id === null ? {} : { callbackServiceId: row.callback_service_id }),
  };
}

/** The view GES clients parse: their models type `accessCode` as a number. */
function gesRequestView(row: CallInRequestRow) {
  const { accessCode, ...rest } = requestView(row);
  return accessCode === undefined ? rest : { ...rest, accessCode: Number(accessCode) };
}

/** Click-to-call-in: groups of numbers, requests that hold a number (and code), IVR matching. */
export class CallInService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly booking: BookingService,
  ) {}

  /** A tenant's groups. */
  async listGroups(tenantId: string) {
    return (await this.store.callIn.listGroups(tenantId)).map(groupOf);
  }

  /** One group or 40403. */
  async getGroup(tenantId: string, name: string) {
    const row = await this.store.callIn.getGroup(tenantId, name);
    if (!row) throw new AppError('NOT_FOUND', `No call-in group "${name}"`);
    return groupOf(row);
  }

  /** Creates or replaces a group from the admin API. */
  async saveGroup(actor: Actor, name: string, body: Record<string, unknown>) {
    const group = parseCallInGroup({ ...body, name });
    const before = await this.store.callIn.getGroup(actor.tenantId, name);
    await this.store.callIn.saveGroup(actor.tenantId, group, 'api', this.clock.now());
    await this.audit.record(
      actor,
      before ? 'call-in.group.update' : 'call-in.group.create',
      name,
      before ? groupOf(before) : undefined,
      group,
    );
    return this.getGroup(actor.tenantId, name);
  }

  /** Deletes a group; its live requests still match until they expire. */
  async deleteGroup(actor: Actor, name: string) {
    const before = await this.getGroup(actor.tenantId, name);
    await this.store.callIn.deleteGroup(actor.tenantId, name);
    await this.audit.record(actor, 'call-in.group.delete', name, before, undefined);
  }

  /**
   * Holds a free number (and access code) of the group for the group's expiry. Creations are
   * serialised per tenant, so two requests never get the same number and code on any node.
   */
  async createRequest(tenantId: string, input: CallInCreateInput) {
    const now = this.clock.now();
    const from =
      input.fromPhoneNumber === undefined
        ? null
        : callInNumber(input.fromPhoneNumber, 'fromPhoneNumber');
    const userData = sanitizeUserData(input.userData);
    if (input.callbackServiceId !== undefined) {
      await this.booking.get(tenantId, input.callbackServiceId);
    }
    const row = await this.store.db.transaction(async (trx) => {
      await this.store.db.lock(trx, `call-in:${tenantId}`);
      const groupRow = await this.store.callIn.getGroup(tenantId, input.groupName, trx);
      if (!groupRow) throw new AppError('NOT_FOUND', `No call-in group "${input.groupName}"`);
      const group = groupOf(groupRow);
      const live = await this.store.callIn.liveOnNumbers(trx, tenantId, group.numbers, now);
      const held = live.map((l) => ({
        toPhoneNumber: l.to_phone_number,
        accessCode: l.access_code,
      }));
      const pick = allocateNumber(group, held, randomInt);
      if (pick === undefined) {
        const pairs = group.accessCodeEnabled
          ? `${group.numbers.length} number(s) × ${accessCodeSpace(group.accessCodeLength)} access codes`
          : `${group.numbers.length} number(s)`;
        throw new AppError(
          'CALL_IN_POOL_EXHAUSTED',
          `Every call-in number of group "${group.name}" is in use (${pairs}); ` +
            `try again when a request expires (after at most ${group.expirySeconds} s)`,
        );
      }
      const request: CallInRequestRow = {
        id: newUuidV7(now),
        tenant_id: tenantId,
        group_name: group.name,
        to_phone_number: pick.toPhoneNumber,
        access_code: pick.accessCode,
        from_phone_number: from,
        user_data: JSON.stringify(userData),
        callback_service_id: input.callbackServiceId ?? null,
        status: 'live',
        expires_at: now + group.expirySeconds * 1000,
        matched_at: null,
        created_at: now,
      };
      await this.store.callIn.insertRequest(request, trx);
      return request;
    });
    return gesRequestView(row);
  }

  /**
   * Finds the live request a caller is calling about and consumes it: it matches once. A request
   * made with a caller number only matches calls from that number when the IVR reports one.
   */
  async matchRequest(tenantId: string, input: CallInMatchInput) {
    const now = this.clock.now();
    const to = callInNumber(input.toPhoneNumber, 'toPhoneNumber');
    const from =
      input.fromPhoneNumber === undefined
        ? undefined
        : callInNumber(input.fromPhoneNumber, 'fromPhoneNumber');
    const code =
      input.accessCode === undefined || input.accessCode === '' ? null : input.accessCode;
    const candidates = await this.store.callIn.findLive(tenantId, to, code, now);
    for (const row of candidates) {
      if (from !== undefined && row.from_phone_number !== null && row.from_phone_number !== from) {
        continue;
      }
      if (!(await this.store.callIn.consume(tenantId, row.id, now))) continue;
      return {
        ...gesRequestView(row),
        userData: JSON.parse(row.user_data) as Record<string, string>,
        ...(await this.linkedCallback(tenantId, row.callback_service_id)),
      };
    }
    throw new AppError(
      'NOT_FOUND',
      `No live call-in request for ${to}${code === null ? '' : ' with that access code'}`,
    );
  }

  /** Request records for the console, newest first. */
  async listRequests(
    tenantId: string,
    filter: { groupName?: string | undefined; before?: string | undefined; limit: number },
  ) {
    const now = this.clock.now();
    const rows = await this.store.callIn.listRequests(tenantId, filter);
    return rows.map((r) => ({
      ...requestView(r),
      status: r.status === 'live' && r.expires_at <= now ? 'expired' : r.status,
      createdAt: formatUtc(r.created_at),
      ...(r.matched_at === null ? {} : { matchedAt: formatUtc(r.matched_at) }),
    }));
  }

  /** The job: forgets requests that expired more than the retention period ago. */
  pruneRequests(nowMs: number): Promise<number> {
    return this.store.callIn.pruneRequests(nowMs - RECORD_RETENTION_MS);
  }

  private async linkedCallback(tenantId: string, id: string | null) {
    if (id === null) return {};
    const callback = await this.store.callbacks.get(tenantId, id);
    if (!callback) return {};
    return {
      callback: {
        id: callback.id,
        serviceName: callback.service_name,
        callbackState: callback.state,
        phoneNumber: callback.phone_number,
        desiredTime: formatUtc(callback.desired_time),
      },
    };
  }
}
