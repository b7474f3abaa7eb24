import pino from 'pino';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { resolveMasterKey } from './security/master-key.js';
import { Keyring } from './security/secret-box.js';
import { migrate, openDb } from './store/db.js';
import { createStore } from './store/index.js';
import { createServices, type Services } from './services/index.js';
import { systemClock, type Clock } from './infra/clock.js';

/** An open, migrated store with the services over it: what the server and the CLI share. */
export interface Runtime {
  services: Services;
  close(): Promise<void>;
}

/** Opens the configured database, brings its schema up to date and wires the services. */
export async function openRuntime(
  config: Config,
  clock: Clock = systemClock,
  log: Logger = pino({ level: config.logLevel }),
): Promise<Runtime> {
  const keyring = new Keyring(resolveMasterKey(config), config.previousMasterKeys);
  const db = openDb(config.database, { log });
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  const services = createServices(config, createStore(db), clock, keyring, log);
  await services.invalidation.start();
  return {
    services,
    close: async () => {
      // The rate limits' pending counts are written before the database goes.
      await services.rateLimits.close();
      await services.invalidation.stop();
      await db.close();
    },
  };
}
