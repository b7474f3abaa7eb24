import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openDb, type Queryable, type Tx } from '../../../src/store/db.js';
import { prepare } from '../../../src/store/sql.js';
import { createStore } from '../../../src/store/index.js';
import { describeEngines, suiteStore } from '../../helpers/engines.js';
import { waitingCallback } from '../reliability/seed.js';

const NOW = Date.parse('2026-11-25T15:00:00.000Z');

describeEngines('grouped transactions (booking’s group commit)', (engine) => {
  const suite = suiteStore(engine);
  let next = 0;

  /** A new waiting callback of `queue`, with a unique id. */
  const callback = (queue: string) => {
    const row = waitingCallback({ tenantId: 't', serviceName: queue, index: next, now: NOW });
    row.id = `${row.id}-${next++}`;
    return row;
  };
  const stored = async (queue: string, q: Queryable = suite.db.kysely) =>
    (
      await q
        .selectFrom('callbacks')
        .select('id')
        .where('service_name', '=', queue)
        .orderBy('id')
        .execute()
    ).map((r) => r.id);
  const insert = (trx: Tx, row: ReturnType<typeof callback>) =>
    suite.store.callbacks.insertMany([row], trx);

  it('calls made together each see the writes of those before: 10 asking for 3 places, 3 get one', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        suite.db.groupedTransaction(
          async (trx) => {
            await suite.db.lock(trx, 'places');
            return (await stored('places', trx)).length >= 3 ? new Error('full') : undefined;
          },
          async (trx) => {
            await insert(trx, callback('places'));
            return 'booked';
          },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)).toEqual([
      'booked',
      'booked',
      'booked',
    ]);
    const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    expect(refusals.map((e) => e.message)).toEqual(Array<string>(7).fill('full'));
    expect(await stored('places')).toHaveLength(3);
  });

  it('a refusal rejects its own call only; it writes nothing', async () => {
    const [a, b, c] = [callback('refusal'), callback('refusal'), callback('refusal')];
    const refusal = new Error('refused');
    const outcomes = await Promise.allSettled(
      [a, b, c].map((row) =>
        suite.db.groupedTransaction(
          async () => (row === b ? refusal : undefined),
          (trx) => insert(trx, row),
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: refusal });
    expect(await stored('refusal')).toEqual([a.id, c.id].sort());
  });

  it('a write that fails keeps nothing of its call and does not fail the others', async () => {
    const taken = callback('failing');
    await suite.db.transaction((trx) => insert(trx, taken));
    const [a1, a2, b1, c1] = [
      callback('failing'),
      callback('failing'),
      callback('failing'),
      callback('failing'),
    ];
    const outcomes = await Promise.allSettled([
      suite.db.groupedTransaction(
        async () => undefined,
        async (trx) => {
          await insert(trx, a1);
          await insert(trx, a2);
        },
      ),
      suite.db.groupedTransaction(
        async () => undefined,
        async (trx) => {
          await insert(trx, b1);
          await insert(trx, taken); // the id exists: the statement fails after b1 was written
        },
      ),
      suite.db.groupedTransaction(
        async () => undefined,
        (trx) => insert(trx, c1),
      ),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await stored('failing')).toEqual([taken.id, a1.id, a2.id, c1.id].sort());
  });

  it('a check that throws fails its own call only', async () => {
    const [a, b, c] = [callback('throwing'), callback('throwing'), callback('throwing')];
    const outcomes = await Promise.allSettled(
      [a, b, c].map((row) =>
        suite.db.groupedTransaction(
          async () => {
            if (row === b) throw new Error('broken check');
            return undefined;
          },
          (trx) => insert(trx, row),
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: new Error('broken check') });
    expect(await stored('throwing')).toEqual([a.id, c.id].sort());
  });

  it('a prepared query binds its arguments where Kysely put them and keeps its constants', async () => {
    const rows = [callback('prepared'), callback('prepared'), callback('other')];
    await suite.db.transaction((trx) => suite.store.callbacks.insertMany(rows, trx));
    const idsOf = prepare(['queue', 'tenant'], (a: { tenant: string; queue: string }) =>
      suite.db.kysely
        .selectFrom('callbacks')
        .select('id')
        .where('state', '=', 'QUEUED')
        .where('service_name', '=', a.queue)
        .where('tenant_id', '=', a.tenant)
        .orderBy('id'),
    );
    const { rows: found } = await idsOf(suite.db.kysely, { tenant: 't', queue: 'prepared' });
    expect(found.map((r) => r.id)).toEqual([rows[0]?.id, rows[1]?.id].sort());
    expect(() =>
      prepare(['tenant', 'queue'], (a: { tenant: string; queue: string }) =>
        suite.db.kysely.selectFrom('callbacks').select('id').where('tenant_id', '=', a.tenant),
      ),
    ).toThrow('prepared query does not use queue');
  });
});

describe('SQLite checkpoints', () => {
  it('copy commits into the database file in the background; closing leaves no WAL behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-checkpoint-'));
    const file = path.join(dir, 'test.db');
    const db = openDb({ kind: 'sqlite', file });
    try {
      await migrate(db);
      const row = waitingCallback({ tenantId: 't', serviceName: 'q', index: 0, now: NOW });
      await db.transaction((trx) => createStore(db).callbacks.insertMany([row], trx));
      // A copy of the database file alone (no WAL) holds what has been checkpointed. The writing
      // connection checkpoints only thousands of pages later, so this is the checkpointer's work.
      const inFile = () => {
        const copy = path.join(dir, `copy-${Date.now()}.db`);
        fs.copyFileSync(file, copy);
        const reader = new SQLite(copy, { readonly: true });
        try {
          return reader.prepare('select id from callbacks').all();
        } finally {
          reader.close();
        }
      };
      await expect.poll(inFile, { timeout: 5_000, interval: 50 }).toEqual([{ id: row.id }]);
    } finally {
      await db.close();
    }
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the database, its WAL and shared-memory files readable by their owner only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-modes-'));
    const file = path.join(dir, 'data', 'test.db');
    const db = openDb({ kind: 'sqlite', file });
    try {
      await migrate(db);
      const modes = ['', '-wal', '-shm'].map((suffix) => [
        suffix,
        fs.statSync(`${file}${suffix}`).mode & 0o777,
      ]);
      expect(modes).toEqual([
        ['', 0o600],
        ['-wal', 0o600],
        ['-shm', 0o600],
      ]);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
