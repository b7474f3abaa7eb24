import { AppError } from '../domain/errors.js';
import { STATE } from '../domain/callback-state.js';
import { silentLogger, type Logger } from '../log.js';
import { formatUtc } from '../domain/time.js';
import { pushFailureText } from '../integrations/credential-tests.js';
import { ApnsClient } from '../integrations/push/apns.js';
import { FcmClient } from '../integrations/push/fcm.js';
import {
  pushFailure,
  type PushMessage,
  type PushResult,
  type PushSender,
} from '../integrations/push/types.js';
import { newId } from '../security/tokens.js';
import type { CallbackRow } from '../store/repos/callbacks.js';
import type { PushDeliveryRow } from '../store/repos/push-deliveries.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../infra/clock.js';
import { apnsOptions, fcmOptions, type Endpoints } from './credential-kinds.js';
import { CredentialClients } from './credential-clients.js';
import type { CredentialService } from './credentials.js';

export const PUSH_CHANNELS = ['fcm', 'apns'] as const;
export type PushChannel = (typeof PUSH_CHANNELS)[number];

/** What a delivery pass did; failures are counted here and logged, never thrown. */
export interface PushSummary {
  sent: number;
  failed: number;
  retrying: number;
}

export const CALLBACK_UPCOMING = 'CALLBACK_UPCOMING';
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 3_600_000;
// A node that claimed a delivery and died gives it back after this long.
const SEND_LEASE_MS = 5 * 60_000;
const RETRY_BATCH = 100;
const MAX_REASON = 500;

const isChannel = (value: string): value is PushChannel =>
  (PUSH_CHANNELS as readonly string[]).includes(value);

/** The push targets a callback was booked with (`details.pushTargets`). */
export function pushTargetsOf(row: CallbackRow): { channel: string; target: string }[] {
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch {
    return [];
  }
  const targets =
    typeof details === 'object' && details !== null && 'pushTargets' in details
      ? details.pushTargets
      : undefined;
  if (!Array.isArray(targets)) return [];
  return targets.flatMap((t: unknown) =>
    typeof t === 'object' &&
    t !== null &&
    'channel' in t &&
    'target' in t &&
    typeof t.channel === 'string' &&
    typeof t.target === 'string'
      ? [{ channel: t.channel, target: t.target }]
      : [],
  );
}

/** The notification a customer sees for a callback event. */
export function callbackMessage(eventType: string, row: CallbackRow): PushMessage {
  const data: Record<string, string> = {
    type: eventType,
    callbackId: row.id,
    serviceName: row.service_name,
    state: row.state,
    desiredTime: formatUtc(row.desired_time),
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
  const title = 'Your callback';
  if (eventType === CALLBACK_UPCOMING) {
    return {
      title,
      body: 'We will call you in a few minutes. Please keep your phone at hand.',
      data,
    };
  }
  switch (row.state) {
    case STATE.SCHEDULED:
      return {
        title,
        body: `Your callback is scheduled for ${formatUtc(row.desired_time)}.`,
        data,
      };
    case STATE.QUEUED:
      return { title, body: 'You are in the queue. We will call you as soon as we can.', data };
    case STATE.ROUTING:
    case STATE.PROCESSING:
      return { title, body: 'We are calling you now.', data };
    case STATE.COMPLETED:
      if (row.reason === 'AGENT_CONNECTED') {
        return { title, body: 'Thank you, your callback is complete.', data };
      }
      if (row.reason === 'CANCELLED' || row.reason === 'CANCELLED_BY_ADMIN') {
        return { title, body: 'Your callback has been cancelled.', data };
      }
      return { title, body: 'We could not reach you. Please request a new callback.', data };
  }
}

/** Push notifications through each tenant's FCM and APNs credentials, with a delivery log. */
export class PushService {
  private readonly fcm: CredentialClients<'push-fcm', FcmClient>;
  private readonly apns: CredentialClients<'push-apns', ApnsClient>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    credentials: CredentialService,
    private readonly endpoints: Endpoints,
    private readonly log: Logger = silentLogger,
  ) {
    this.fcm = new CredentialClients(
      credentials,
      'push-fcm',
      (cred) => new FcmClient(fcmOptions(cred, endpoints)),
    );
    this.apns = new CredentialClients(
      credentials,
      'push-apns',
      (cred) => new ApnsClient({ ...apnsOptions(cred, endpoints), log: this.log }),
      (client) => client.close(),
    );
  }

  /** Sends one notification now (GES notification/publish); a failure answers a clear error. */
  async publish(
    tenantId: string,
    input: {
      channel: PushChannel;
      deviceToken: string;
      message: PushMessage;
      /** Have the provider check the message without delivering it (FCM only). */
      validateOnly?: boolean | undefined;
    },
  ): Promise<{ messageId: string }> {
    if (input.validateOnly === true && input.channel !== 'fcm') {
      throw new AppError('INVALID_PARAMETER', 'validate_only is only available for FCM');
    }
    const row = await this.record(
      tenantId,
      null,
      'PUBLISH',
      input.channel,
      input.deviceToken,
      input.message,
    );
    // A caller waiting for the answer retries by itself: publish is never retried in the background.
    const { result } = await this.attempt(row, 1, input.validateOnly === true);
    if (result.ok) return { messageId: result.messageId };
    if (result.reason === 'no-credential') throw new AppError('NOT_FOUND', result.message);
    throw new AppError(
      result.kind === 'invalid-token' ? 'INVALID_PARAMETER' : 'UPSTREAM_FAILED',
      pushFailureText(result),
    );
  }

  /**
   * Notifies a callback's push targets of one of its events (CALLBACK_UPCOMING or a state
   * change). Called by the event outbox processor: every outcome is logged in push_deliveries,
   * retryable failures are retried by `retryPushDeliveries`, and nothing is ever thrown.
   */
  async notifyCallbackEvent(
    tenantId: string,
    eventType: string,
    callback: CallbackRow,
  ): Promise<PushSummary> {
    const summary: PushSummary = { sent: 0, failed: 0, retrying: 0 };
    // Most callbacks have no push target: they cost the outbox no message.
    const targets = pushTargetsOf(callback);
    if (targets.length === 0) return summary;
    try {
      const message = callbackMessage(eventType, callback);
      for (const { channel, target } of targets) {
        const row = await this.record(tenantId, callback.id, eventType, channel, target, message);
        const status = await this.deliver(row);
        if (status === 'sent') summary.sent++;
        else if (status === 'retry') summary.retrying++;
        else summary.failed++;
      }
    } catch {
      // The log write itself failed (database down): the booking flow must not see it.
      summary.failed++;
    }
    return summary;
  }

  /** The job: sends the deliveries whose retry is due at `nowMs`; returns how many it tried. */
  async retryPushDeliveries(nowMs: number): Promise<number> {
    let tried = 0;
    for (const row of await this.store.pushDeliveries.due(nowMs, RETRY_BATCH)) {
      if (!(await this.store.pushDeliveries.claim(row, nowMs + SEND_LEASE_MS, nowMs))) continue;
      tried++;
      await this.deliver(row);
    }
    return tried;
  }

  /** A callback's delivery log, oldest first. */
  deliveries(tenantId: string, callbackId: string): Promise<PushDeliveryRow[]> {
    return this.store.pushDeliveries.forCallback(tenantId, callbackId);
  }

  /** Closes provider connections (shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.fcm.closeAll(), this.apns.closeAll()]);
  }

  private async record(
    tenantId: string,
    callbackId: string | null,
    eventType: string,
    channel: string,
    target: string,
    message: PushMessage,
  ): Promise<PushDeliveryRow> {
    const now = this.clock.now();
    const row: PushDeliveryRow = {
      id: newId('push', now),
      tenant_id: tenantId,
      callback_id: callbackId,
      event_type: eventType,
      channel: channel.toLowerCase(),
      target,
      message: JSON.stringify(message),
      status: 'pending',
      reason: null,
      attempts: 0,
      next_attempt_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.store.pushDeliveries.insert(row);
    return row;
  }

  /** One attempt with the retry policy applied; returns the status it left the delivery in. */
  private async deliver(row: PushDeliveryRow): Promise<'sent' | 'retry' | 'failed'> {
    try {
      return (await this.attempt(row, this.endpoints.pushMaxAttempts)).status;
    } catch {
      return 'failed';
    }
  }

  private async attempt(
    row: PushDeliveryRow,
    maxAttempts: number,
    validateOnly = false,
  ): Promise<{ result: PushResult; status: 'sent' | 'retry' | 'failed' }> {
    const attempts = row.attempts + 1;
    const result = await this.send(
      row.tenant_id,
      row.channel,
      row.target,
      parseMessage(row),
      validateOnly,
    );
    const now = this.clock.now();
    if (result.ok) {
      await this.store.pushDeliveries.update(row.tenant_id, row.id, {
        status: 'sent',
        reason: null,
        attempts,
        next_attempt_at: null,
        updated_at: now,
      });
      return { result, status: 'sent' };
    }
    const retry = result.retryable && attempts < maxAttempts;
    const backoff = Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS);
    const delay =
      result.retryAfterSeconds === undefined ? backoff : result.retryAfterSeconds * 1000;
    await this.store.pushDeliveries.update(row.tenant_id, row.id, {
      status: retry ? 'retry' : 'failed',
      reason: `${result.reason}: ${result.message}`.slice(0, MAX_REASON),
      attempts,
      next_attempt_at: retry ? now + delay : null,
      updated_at: now,
    });
    return { result, status: retry ? 'retry' : 'failed' };
  }

  private async send(
    tenantId: string,
    sentChannel: string,
    target: string,
    message: PushMessage,
    validateOnly = false,
  ): Promise<PushResult> {
    // GES clients name the channel "FCM".
    const channel = sentChannel.toLowerCase();
    if (!isChannel(channel)) {
      return pushFailure(
        'rejected',
        'unsupported-channel',
        `Push channel "${channel}" is not supported (use ${PUSH_CHANNELS.join(' or ')})`,
      );
    }
    const feature = channel === 'fcm' ? 'push-fcm' : 'push-apns';
    let sender: PushSender | undefined;
    let fcm: FcmClient | undefined;
    try {
      fcm = channel === 'fcm' ? await this.fcm.get(tenantId) : undefined;
      sender = channel === 'fcm' ? fcm : await this.apns.get(tenantId);
    } catch (e) {
      return pushFailure(
        'auth',
        'bad-credential',
        `The ${feature} credential cannot be used: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (sender === undefined) {
      return pushFailure(
        'rejected',
        'no-credential',
        `No ${feature} credential is registered for this tenant`,
      );
    }
    // Only FCM has a dry run (publish refuses validate_only for the other channels).
    if (validateOnly && fcm) return fcm.send(target, message, { validateOnly });
    return sender.send(target, message);
  }
}

function parseMessage(row: PushDeliveryRow): PushMessage {
  return JSON.parse(row.message) as PushMessage;
}
