import { Type, type Static } from 'typebox';
import { Instant, InstantOrNull } from './common.js';

/** A long admin operation (purge, bulk cancel) and its progress. */
export const AdminJob = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('purge'), Type.Literal('bulk-cancel')]),
  state: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
  ]),
  done: Type.Integer({ description: 'Callbacks completed so far' }),
  total: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Callbacks the job expected when it started; null until counted',
  }),
  serviceName: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  createdAt: Instant,
  startedAt: Type.Optional(Instant),
  finishedAt: Type.Optional(Instant),
});
export type AdminJob = Static<typeof AdminJob>;

/** One queue's figures for the console's live panel. */
export const QueueFigures = Type.Object({
  serviceName: Type.String(),
  timezone: Type.String(),
  waiting: Type.Integer(),
  scheduledToday: Type.Integer(),
  inProgress: Type.Integer(),
  completedTodayByReason: Type.Record(Type.String(), Type.Integer()),
  averageWaitSeconds: Type.Union([Type.Number(), Type.Null()]),
  ewt: Type.Integer({ description: 'Estimated wait time in seconds; -1 when it cannot be told' }),
  agents: Type.Union([
    Type.Object({ loggedIn: Type.Integer(), available: Type.Integer() }),
    Type.Null(),
  ]),
});
export type QueueFigures = Static<typeof QueueFigures>;

/** Every queue's figures and the time they were taken. */
export const QueueFiguresList = Type.Object({ items: Type.Array(QueueFigures), asOf: Instant });

/** A callback event type a webhook subscribes to (`callback.created`…), or `*` for all. */
export const EventType = Type.String({ minLength: 1, maxLength: 64 });

/** A webhook subscription (never its signing secret). */
export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: 'Event types, or ["*"] for all' }),
  createdAt: Instant,
});
export type Webhook = Static<typeof Webhook>;

/** A subscription just made: its signing secret is in this answer only. */
export const CreatedWebhook = Type.Object({
  ...Webhook.properties,
  secret: Type.String({ description: 'Signing secret, shown once' }),
});

/** One delivery of an event to a subscription. */
export const WebhookDelivery = Type.Object({
  id: Type.String(),
  eventType: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant,
  deliveredAt: InstantOrNull,
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/** When the tenant configuration was last applied, and what went wrong since. */
export const TenantConfigStatus = Type.Object({
  lastRefreshedAt: InstantOrNull,
  lastError: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()], {
    description: 'Where the configuration comes from; null when the operator set none',
  }),
  refreshMinutes: Type.Number(),
});
export type TenantConfigStatus = Static<typeof TenantConfigStatus>;
