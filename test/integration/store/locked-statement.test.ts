import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEngines, suiteStore } from '../../helpers/engines.js';

// Db.lockedStatement: on PostgreSQL BEGIN, the locks, the statement and COMMIT are sent pipelined.
describeEngines('a statement in a transaction of its own under locks', (engine) => {
  const suite = suiteStore(engine);

  const insertTenant = (id: string) =>
    sql<{ id: string }>`insert into tenants (id, name, timezone, source, created_at)
      values (${id}, ${id}, 'UTC', 'api', 0) returning id`.compile(suite.db.kysely);
  const tenants = async () =>
    (await suite.db.kysely.selectFrom('tenants').select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );

  it('commits the statement and answers its rows', async () => {
    const { rows } = await suite.db.lockedStatement(['a', 'b'], insertTenant('t-ok'));
    expect(rows).toEqual([{ id: 't-ok' }]);
    expect(await tenants()).toContain('t-ok');
  });

  it('a failing statement keeps nothing and leaves the connections usable', async () => {
    await suite.db.lockedStatement([], insertTenant('t-twice'));
    await expect(suite.db.lockedStatement(['a'], insertTenant('t-twice'))).rejects.toThrow();
    // Every pooled connection still answers and none is left inside a transaction.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        suite.db.lockedStatement(['a'], insertTenant(`t-after-${String(i).padStart(2, '0')}`)),
      ),
    );
    expect(answers.map((a) => a.rows.length)).toEqual(Array(20).fill(1));
    expect((await tenants()).filter((id) => id === 't-twice')).toHaveLength(1);
  });

  it('holds the locks until it commits: statements under one key do not interleave', async () => {
    await sql`create table lock_probe (n integer)`.execute(suite.db.kysely);
    await sql`insert into lock_probe (n) values (0)`.execute(suite.db.kysely);
    // Each reads n and writes n + 1 in one statement: without the lock taken before it, reads on
    // PostgreSQL would see the snapshot from before a concurrent write, and increments be lost.
    const bump = sql`update lock_probe set n = (select n from lock_probe) + 1`.compile(
      suite.db.kysely,
    );
    await Promise.all(Array.from({ length: 30 }, () => suite.db.lockedStatement(['probe'], bump)));
    const { rows } = await sql<{ n: number }>`select n from lock_probe`.execute(suite.db.kysely);
    expect(Number(rows[0]?.n)).toBe(30);
  });
});
