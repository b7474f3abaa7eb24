import type { Config } from './config.js';
import { migrate, openDb } from './store/db.js';
import { createStore } from './store/index.js';
import { createServices, type Services } from './services/index.js';
import { systemClock, type Clock } from './services/clock.js';

/** An open, migrated store with the services over it: what the server and the CLI share. */
export interface Runtime {
  services: Services;
  close(): Promise<void>;
}

/** Opens the configured database, brings its schema up to date and wires the services. */
export async function openRuntime(config: Config, clock: Clock = systemClock): Promise<Runtime> {
  const db = openDb(config.database);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  const services = createServices(config, createStore(db), clock);
  return { services, close: () => db.close() };
}
