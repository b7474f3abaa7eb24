import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrate, openDb, type DatabaseTarget, type Db } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/index.js';

export type EngineName = 'sqlite' | 'postgres';

/** The PostgreSQL server for tests (`scripts/test.mjs` sets it when one answers). */
export const PG_URL = process.env.OC_TEST_PG_URL;

/** The engines this run covers: SQLite always, PostgreSQL when a server is available. */
export const ENGINES: EngineName[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, empty database of the engine; `drop` removes it. */
export async function freshDatabase(
  engine: EngineName,
): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-test-'));
    return {
      target: { kind: 'sqlite', file: path.join(dir, 'test.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!PG_URL) throw new Error('PostgreSQL is not available for tests');
  const name = `oc_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      // Give pools that are closing a moment to hang up before forcing the rest off.
      for (let i = 0; i < 20; i++) {
        const { rows } = await client.query<{ n: string }>(
          'select count(*) as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (Number(rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Runs a suite once per available engine, named after it. */
export function describeEngines(name: string, suite: (engine: EngineName) => void): void {
  for (const engine of ENGINES) describe(`${name} [${engine}]`, () => suite(engine));
}

/**
 * A migrated store on a fresh database of the engine for the suite it is called in: opened before
 * the suite's tests, closed and dropped after them. Read `db` and `store` inside the tests.
 */
export function suiteStore(engine: EngineName): { readonly db: Db; readonly store: Store } {
  let open: { db: Db; store: Store; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    const fresh = await freshDatabase(engine);
    const db = openDb(fresh.target);
    await migrate(db);
    open = { db, store: createStore(db), drop: () => fresh.drop() };
  });
  afterAll(async () => {
    await open?.db.close();
    await open?.drop();
  });
  const opened = () => {
    if (!open) throw new Error('the suite store opens before the suite’s tests');
    return open;
  };
  return {
    get db() {
      return opened().db;
    },
    get store() {
      return opened().store;
    },
  };
}
