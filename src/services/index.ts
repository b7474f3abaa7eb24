import type { Config } from '../config.js';
import { silentLogger, type Logger } from '../log.js';
import type { Keyring } from '../security/secret-box.js';
import type { Store } from '../store/index.js';
import { AccessService } from './access.js';
import { AdminJobService } from './admin-jobs.js';
import { AuditService } from './audit.js';
import { BookingService } from './booking.js';
import { QueueActivity } from '../infra/queue-activity.js';
import { CallbackEventWriter } from './event-writer.js';
import { CallInService } from './call-in.js';
import { CallbackSearchService } from './callback-search.js';
import { CaptchaService } from './captcha.js';
import type { Clock } from '../infra/clock.js';
import { CredentialService } from './credentials.js';
import { seedDemoTenant, type DemoCredentials } from './demo.js';
import { withOutbound } from './credential-kinds.js';
import { DispatchService } from './dispatch.js';
import { ErrorLogService } from './error-log.js';
import { Invalidation } from '../infra/invalidation.js';
import { EventDispatcher } from './event-dispatch.js';
import { LifecycleService } from './lifecycle.js';
import { PushService } from './push.js';
import { QueueInfoService } from './queue-info.js';
import { QueueService } from './queues.js';
import { RateLimitService } from './rate-limits.js';
import { StatisticsService } from './statistics.js';
import { QueueMonitorService } from './queue-monitor.js';
import { TenantConfigService } from './tenant-config.js';
import { TenantService } from './tenants.js';
import { WaitTimeService } from './wait-time.js';
import { WebhookService } from './webhooks.js';

/** Every use case of the service, wired over one store and clock. */
export interface Services {
  /** Round-trip to the database (readiness); the store itself stays behind the use cases. */
  ping(): Promise<void>;
  /** On the very first start, a demo tenant to try the service with (see demo.ts). */
  seedDemo(): Promise<DemoCredentials | undefined>;
  clock: Clock;
  /** Where use cases report failures they recover from. */
  log: Logger;
  /** Seals and opens secrets at rest (webhook and credential secrets). */
  keyring: Keyring;
  /** Cache invalidation across nodes; `start()` it where the service runs. */
  invalidation: Invalidation;
  /** Which queues changed on this node, and the bulk changes of queues under way on any node. */
  activity: QueueActivity;
  audit: AuditService;
  access: AccessService;
  tenants: TenantService;
  queues: QueueService;
  tenantConfig: TenantConfigService;
  errors: ErrorLogService;
  booking: BookingService;
  callbackSearch: CallbackSearchService;
  waitTime: WaitTimeService;
  queueInfo: QueueInfoService;
  dispatch: DispatchService;
  lifecycle: LifecycleService;
  webhooks: WebhookService;
  /** Hands the outbox's events on to webhooks and push (store.events holds them). */
  eventDispatcher: EventDispatcher;
  /** Live per-queue figures for the console and /metrics (GES statistics: `statistics`). */
  queueMonitor: QueueMonitorService;
  credentials: CredentialService;
  captcha: CaptchaService;
  push: PushService;
  statistics: StatisticsService;
  callIn: CallInService;
  adminJobs: AdminJobService;
  rateLimits: RateLimitService;
}

/** Wires the services; pure construction, no I/O. */
export function createServices(
  config: Config,
  store: Store,
  clock: Clock,
  keyring: Keyring,
  log: Logger = silentLogger,
): Services {
  const audit = new AuditService(store, clock);
  const invalidation = new Invalidation(store.db, log);
  const access = new AccessService(
    store,
    clock,
    audit,
    { idleMs: config.sessionIdleMinutes * 60_000, maxMs: config.sessionMaxHours * 3_600_000 },
    invalidation,
    log,
  );
  const tenants = new TenantService(store, clock, audit, invalidation);
  const queues = new QueueService(store, clock, audit, invalidation);
  const tenantConfig = new TenantConfigService(
    store,
    clock,
    audit,
    tenants,
    queues,
    invalidation,
    config.tenantConfigPath,
  );
  const errors = new ErrorLogService(
    store,
    clock,
    config.errorLogRetentionDays * 86_400_000,
    config.errorLogMaxPerTenant,
  );
  const endpoints = withOutbound(config.integrations);
  const credentials = new CredentialService(store, clock, audit, keyring, endpoints);
  const captcha = new CaptchaService(store, clock, audit, credentials, invalidation, endpoints);
  const activity = new QueueActivity({
    bulk: (news) => void invalidation.announce(news),
    changed: (queues) => void invalidation.announceChanged(queues),
  });
  invalidation.onBulkChange((news) => activity.heard(news, clock.now()));
  invalidation.onQueuesChanged((queues) => activity.heardChanged(queues));
  invalidation.onMissedNews(() => activity.heardNothingFor());
  const eventWriter = new CallbackEventWriter(store, activity);
  const booking = new BookingService(store, clock, queues, eventWriter, {
    verifyCaptcha: (tenantId, token) => captcha.requireValid(tenantId, token),
  });
  const dispatch = new DispatchService(store, clock, queues, activity);
  // An eighth of the queues' memory for wait-time inputs, six for slots and answers (the last
  // eighth is the API's, for answers sent uncompressed: http/app.ts).
  const waitTime = new WaitTimeService(
    store,
    clock,
    activity,
    dispatch,
    config.queueMemoryBytes / 8,
  );
  const lifecycle = new LifecycleService(store, clock, queues, waitTime, eventWriter);
  const adminJobs = new AdminJobService(store, clock, lifecycle, audit, config.adminJobLeaseMs);
  const webhooks = new WebhookService(store, clock, keyring, audit, endpoints.http);
  const eventDispatcher = new EventDispatcher(store, webhooks);
  const queueMonitor = new QueueMonitorService(store, clock, queues, waitTime, dispatch);
  const queueInfo = new QueueInfoService(
    store,
    clock,
    queues,
    waitTime,
    booking,
    activity,
    (config.queueMemoryBytes * 6) / 8,
  );
  const push = new PushService(store, clock, credentials, endpoints, log);
  eventDispatcher.listen({
    onCallbackEvent: async (tenantId, type, callback) => {
      await push.notifyCallbackEvent(tenantId, type, callback);
    },
  });
  const statistics = new StatisticsService(store, clock, queues, waitTime, credentials, endpoints);
  const callIn = new CallInService(store, clock, audit, booking);
  return {
    ping: () => store.db.ping(),
    seedDemo: () => seedDemoTenant(store, tenants, queues, access),
    clock,
    log,
    keyring,
    invalidation,
    activity,
    audit,
    access,
    tenants,
    queues,
    tenantConfig,
    errors,
    booking,
    callbackSearch: new CallbackSearchService(store, booking),
    waitTime,
    queueInfo,
    dispatch,
    lifecycle,
    webhooks,
    eventDispatcher,
    queueMonitor,
    credentials,
    captcha,
    push,
    statistics,
    callIn,
    adminJobs,
    rateLimits: new RateLimitService(store, clock, config.limits.rateLimits, invalidation, log),
  };
}
