import type { Store } from '../store/index.js';
import type { AccessService } from './access.js';
import type { QueueService } from './queues.js';
import type { TenantService } from './tenants.js';

/** What the first start prints so a newcomer can try the service at once. */
export interface DemoCredentials {
  tenantId: string;
  queue: string;
  username: string;
  password: string;
  /** An engagement browser key: what the README's curls and a web page use. */
  browserKey: string;
  /** An admin-scope (server) key for automation; never for a page. */
  adminKey: string;
}

const SEEDED = 'demo.seeded';

/** On the very first start with an empty store, provisions a demo tenant, queue, admin and key. */
export async function seedDemoTenant(
  store: Store,
  tenants: TenantService,
  queues: QueueService,
  access: AccessService,
): Promise<DemoCredentials | undefined> {
  if ((await store.system.get(SEEDED)) !== undefined || (await tenants.list()).length > 0) {
    return undefined;
  }
  await store.system.set(SEEDED, new Date().toISOString());
  const tenantId = 'demo';
  const actor = { tenantId, name: 'setup' };
  await tenants.create({
    id: tenantId,
    name: 'Demo Contact Center',
    timezone: 'America/New_York',
    source: 'setup',
  });
  await queues.create(actor, {
    name: 'support',
    businessHours: {
      weekly: Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]),
      ),
    },
    slotCapacity: 5,
  });
  const user = await access.upsertUser(actor, 'admin', 'Administrator');
  const browser = await access.createApiKey(actor, 'engagement', 'demo browser key', 'browser');
  const admin = await access.createApiKey(actor, 'admin', 'demo admin key', 'server');
  return {
    tenantId,
    queue: 'support',
    username: 'admin',
    password: user.generatedPassword ?? '',
    browserKey: browser.key,
    adminKey: admin.key,
  };
}
