import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEngines, suiteStore } from '../../helpers/engines.js';

// Db.readAside: a long read (a purge's count of a million callbacks) must not hold the event
// loop, so the API keeps answering while it runs.
describeEngines('a read aside', (engine) => {
  const suite = suiteStore(engine);

  // Walks a few million rows without any table: long enough for timers to be due meanwhile.
  const longCount = () =>
    sql<{ n: number | string }>`with recursive c(x) as (
      select 1 union all select x + 1 from c where x < 3000000
    ) select count(*) as n from c`.compile(suite.db.kysely);

  /** Timer turns the event loop took while `work` ran. */
  async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
    let turns = 0;
    const timer = setInterval(() => turns++, 5);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    return turns;
  }

  it('answers what is committed', async () => {
    await suite.db.kysely
      .insertInto('tenants')
      .values({
        id: 't-aside',
        name: 't-aside',
        timezone: 'UTC',
        settings: '{}',
        source: 'api',
        created_at: 0,
      })
      .execute();
    const { rows } = await suite.db.readAside(
      suite.db.kysely.selectFrom('tenants').select('name').where('id', '=', 't-aside').compile(),
    );
    expect(rows).toEqual([{ name: 't-aside' }]);
  });

  it('lets the event loop turn while it reads', async () => {
    const { rows } = await suite.db.readAside(longCount()); // the reader is started
    expect(Number(rows[0]?.n)).toBe(3_000_000);
    expect(await turnsDuring(() => suite.db.readAside(longCount()))).toBeGreaterThan(2);
  });

  it('refuses a bad statement and goes on reading', async () => {
    await expect(
      suite.db.readAside(sql`select * from no_such_table`.compile(suite.db.kysely)),
    ).rejects.toThrow();
    const { rows } = await suite.db.readAside(
      sql<{ one: number }>`select 1 as one`.compile(suite.db.kysely),
    );
    expect(Number(rows[0]?.one)).toBe(1);
  });

  if (engine === 'sqlite') {
    it('on the writing connection the same read holds the event loop (what readAside avoids)', async () => {
      expect(await turnsDuring(() => suite.db.kysely.executeQuery(longCount()))).toBe(0);
    });
  }
});
