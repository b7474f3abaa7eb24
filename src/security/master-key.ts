import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * The master key for secrets at rest. On a single SQLite node without MASTER_KEY, one is made
 * once and kept beside the data (mode 0600) so a first start just works; with PostgreSQL every
 * node must share it, so it has to come from the environment.
 */
export function resolveMasterKey(config: Config): string {
  if (config.masterKey !== undefined) return config.masterKey;
  if (config.database.kind === 'postgres') {
    throw new Error(
      'MASTER_KEY is required with PostgreSQL: every node must share it (e.g. `openssl rand -base64 32`)',
    );
  }
  const file = path.join(config.dataDir, 'master.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = crypto.randomBytes(32).toString('base64');
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
