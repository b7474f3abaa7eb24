import type { Config } from '../config.js';
import type { Store } from '../store/index.js';
import { AccessService } from './access.js';
import { AuditService } from './audit.js';
import { BookingService } from './booking.js';
import type { Clock } from './clock.js';
import { ErrorLogService } from './error-log.js';
import { QueueInfoService } from './queue-info.js';
import { QueueService } from './queues.js';
import { TenantConfigService } from './tenant-config.js';
import { TenantService } from './tenants.js';
import { WaitTimeService } from './wait-time.js';

/** Every use case of the service, wired over one store and clock. */
export interface Services {
  store: Store;
  clock: Clock;
  audit: AuditService;
  access: AccessService;
  tenants: TenantService;
  queues: QueueService;
  tenantConfig: TenantConfigService;
  errors: ErrorLogService;
  booking: BookingService;
  waitTime: WaitTimeService;
  queueInfo: QueueInfoService;
}

/** Wires the services; pure construction, no I/O. */
export function createServices(config: Config, store: Store, clock: Clock): Services {
  const audit = new AuditService(store, clock);
  const access = new AccessService(store, clock, audit, config.sessionIdleMinutes * 60_000);
  const tenants = new TenantService(store, clock, audit);
  const queues = new QueueService(store, clock, audit);
  const tenantConfig = new TenantConfigService(
    store,
    clock,
    audit,
    tenants,
    queues,
    config.tenantConfigPath,
  );
  const errors = new ErrorLogService(
    store,
    clock,
    config.errorLogRetentionDays * 86_400_000,
    config.errorLogMaxPerTenant,
  );
  const booking = new BookingService(store, clock, queues);
  const waitTime = new WaitTimeService(store);
  const queueInfo = new QueueInfoService(store, clock, queues, waitTime, booking);
  return {
    store,
    clock,
    audit,
    access,
    tenants,
    queues,
    tenantConfig,
    errors,
    booking,
    waitTime,
    queueInfo,
  };
}
