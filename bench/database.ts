import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { generateMasterKey } from '../src/security/secret-box.js';
import type { DatabaseTarget } from '../src/store/db.js';

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Where the service keeps its data for this run: its environment, target and clean-up. */
export interface BenchDatabase {
  env: Record<string, string>;
  target: DatabaseTarget;
  drop: () => Promise<void>;
}

/**
 * A fresh SQLite file in `dir`, or a fresh PostgreSQL database on the server of DATABASE_URL
 * (default the local one), dropped again by `drop`.
 */
export async function prepareDatabase(
  engine: 'sqlite' | 'postgres',
  dir: string,
): Promise<BenchDatabase> {
  if (engine === 'sqlite') {
    const target: DatabaseTarget = { kind: 'sqlite', file: path.join(dir, 'opencallback.db') };
    return { env: { DATA_DIR: dir }, target, drop: async () => undefined };
  }
  const server = process.env.DATABASE_URL || DEFAULT_PG;
  const name = `oc_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const target: DatabaseTarget = { kind: 'postgres', url: url.toString() };
  return {
    env: { DATABASE_URL: target.url, MASTER_KEY: generateMasterKey() },
    target,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
