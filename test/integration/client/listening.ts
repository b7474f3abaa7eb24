import { afterAll, beforeAll } from 'vitest';
import { AdminClient } from '@opencallback/client/admin';
import { DispatchClient } from '@opencallback/client/dispatch';
import { EngagementClient } from '@opencallback/client/engagement';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';
import type { EngineName } from '../../helpers/engines.js';

/** The real app listening on a port, a tenant, and the three clients with its keys. */
export interface ListeningService {
  t: TestApp;
  tenant: TestTenant;
  baseUrl: string;
  engagement: EngagementClient;
  dispatch: DispatchClient;
  admin: AdminClient;
  /** A new 24/7 queue through the admin client (no duplicate check, retries after 5 minutes). */
  queue(): Promise<string>;
}

/** Starts the service on `engine` for the suite it is called in; read the fields inside tests. */
export function listeningService(engine: EngineName): ListeningService {
  const service = {} as ListeningService;
  let drop: (() => Promise<void>) | undefined;
  let queues = 0;
  beforeAll(async () => {
    const t = await startTestApp(engine);
    drop = () => t.dropDatabase();
    const baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const tenant = await t.tenant('acme');
    Object.assign(service, {
      t,
      tenant,
      baseUrl,
      engagement: new EngagementClient({ baseUrl, apiKey: tenant.keys.engagement }),
      dispatch: new DispatchClient({ baseUrl, apiKey: tenant.keys.dispatch }),
      admin: new AdminClient({ baseUrl, apiKey: tenant.keys.admin }),
      queue: async () => {
        const name = `q${++queues}`;
        await service.admin.request('post', '/admin/v1/queues', {
          body: { name, maxAttempts: 3, retryDelaySeconds: 300, duplicateCheck: 'off' },
        });
        return name;
      },
    });
  });
  afterAll(async () => {
    await service.t?.close();
    await drop?.();
  });
  return service;
}
