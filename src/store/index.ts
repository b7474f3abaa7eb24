import type { Db } from './db.js';
import { AdminJobRepo } from './repos/admin-jobs.js';
import { DISPATCH_ORDER } from '../domain/callback-state.js';
import { ApiKeyRepo } from './repos/api-keys.js';
import { CallbackRepo } from './repos/callbacks.js';
import { CallInRepo } from './repos/call-in.js';
import { CorsRepo } from './repos/cors.js';
import { CredentialRepo } from './repos/credentials.js';
import { EventRepo } from './repos/events.js';
import { LifecycleRepo } from './repos/lifecycle.js';
import { LogRepo } from './repos/logs.js';
import { PushDeliveryRepo } from './repos/push-deliveries.js';
import { QueueRepo } from './repos/queues.js';
import { QueueStatsRepo } from './repos/queue-stats.js';
import { RateLimitRepo } from './repos/rate-limits.js';
import { SystemStateRepo } from './repos/system-state.js';
import { TenantRepo } from './repos/tenants.js';
import { UserRepo } from './repos/users.js';

/** Every repository over one database. */
export interface Store {
  db: Db;
  tenants: TenantRepo;
  apiKeys: ApiKeyRepo;
  users: UserRepo;
  cors: CorsRepo;
  logs: LogRepo;
  system: SystemStateRepo;
  queues: QueueRepo;
  callbacks: CallbackRepo;
  lifecycle: LifecycleRepo;
  events: EventRepo;
  credentials: CredentialRepo;
  pushDeliveries: PushDeliveryRepo;
  callIn: CallInRepo;
  queueStats: QueueStatsRepo;
  adminJobs: AdminJobRepo;
  rateLimits: RateLimitRepo;
}

/** Builds the repositories over an open database. */
export function createStore(db: Db): Store {
  const events = new EventRepo(db);
  return {
    db,
    tenants: new TenantRepo(db),
    apiKeys: new ApiKeyRepo(db),
    users: new UserRepo(db),
    cors: new CorsRepo(db),
    logs: new LogRepo(db),
    system: new SystemStateRepo(db),
    queues: new QueueRepo(db),
    callbacks: new CallbackRepo(db, DISPATCH_ORDER),
    lifecycle: new LifecycleRepo(db, DISPATCH_ORDER, events),
    events,
    credentials: new CredentialRepo(db),
    pushDeliveries: new PushDeliveryRepo(db),
    callIn: new CallInRepo(db),
    queueStats: new QueueStatsRepo(db),
    adminJobs: new AdminJobRepo(db),
    rateLimits: new RateLimitRepo(db),
  };
}
