import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql, CompiledQuery } from 'kysely';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestTenant } from '../../helpers/app.js';
import { seedCallbacks, waitingCallback } from '../reliability/seed.js';

const QUEUES = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'q10'];
const SEEDED = 20_000;

/** A plan that answers from the index alone, without reading a row of the table. */
const fromIndexAlone = (index: string) =>
  new RegExp(`COVERING INDEX ${index}\\b|Index Only Scan using ${index}\\b`);

/** SQLite answers from the index alone; PostgreSQL, locking the rows it picks, visits them. */
const lockingFromIndex = (index: string) =>
  new RegExp(`COVERING INDEX ${index}\\b|Index Scan using ${index}\\b`);

/**
 * Statements reading a part of the callbacks (waiting, completed, claimed) and the partial index
 * each must use; counts of a queue's waiting callbacks (500 000 in the purge benchmark) must not
 * read the rows.
 */
const PARTIAL_INDEX_READS: [RegExp, RegExp][] = [
  [/"immediate" = /, /callbacks_immediate/],
  [
    /count\(\*\) as "n" from "callbacks" where (?!.*desired_time).*"state" = /,
    fromIndexAlone('callbacks_dispatch'),
  ],
  [
    /select "id" from "callbacks" where "tenant_id" = \S+ and "state" in .*"service_name" = /,
    /callbacks_dispatch/,
  ],
  [/"upcoming_notified_at" from "callbacks"/, /callbacks_dispatch/],
  [/group by "state"/, fromIndexAlone('callbacks_dispatch')],
  [/group by "slot_start"/, fromIndexAlone('callbacks_slot')],
  [/"reason" = /, /callbacks_completions|callbacks_completed_in_queue/],
  [/"desired_time" <= /, /callbacks_scheduled_due/],
  [/"lease_expires_at" < /, /callbacks_lease_expiry/],
  [/avg\("claimed_at"/, fromIndexAlone('callbacks_claimed_in_queue')],
  [/"service_name" = \S+ and "desired_time" < /, lockingFromIndex('callbacks_dispatch')],
];

/**
 * The hot paths' statements, captured as the app runs them over a store of tens of thousands of
 * callbacks, must find their rows through an index: a full scan of `callbacks` grows with every
 * callback ever kept (a million on a busy tenant) where an index lookup does not.
 */
describeEngines('query plans of the hot paths use indexes', (engine) => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let tenant: TestTenant;
  let capturing = false;
  let seededIds: string[] = [];
  const statements = new Map<string, readonly unknown[]>();

  beforeAll(async () => {
    t = await startTestApp(engine, {
      onQuery: (text, parameters) => {
        if (capturing && /\bcallback(s|_events)\b/.test(text) && !/^\s*insert/i.test(text)) {
          statements.set(text, parameters);
        }
      },
    });
    tenant = await t.tenant('acme');
    const actor = { tenantId: tenant.id, name: 'test' };
    for (const name of QUEUES) {
      await t.services.queues.create(actor, { name, duplicateCheck: 'off' });
    }
    // History of a busy tenant: most callbacks long completed, a few waiting per queue.
    const now = t.clock.now();
    const rows = Array.from({ length: SEEDED }, (_, index) => {
      const row = waitingCallback({
        tenantId: tenant.id,
        serviceName: QUEUES[index % QUEUES.length] ?? 'q1',
        index: index % 10_000,
        now: now - 30 * 86_400_000 + index * 60_000,
      });
      row.id = `${row.id}${index}`;
      if (index % 50 === 0) return row;
      return {
        ...row,
        state: 'COMPLETED' as const,
        reason: 'AGENT_CONNECTED',
        completed_at: row.created_at,
      };
    });
    await seedCallbacks(t.services.store, rows);
    seededIds = rows.map((row) => row.id);
    // Their events, long handed on (out of the outbox the trigger put them in).
    const { kysely } = t.services.store.db;
    for (let start = 0; start < rows.length; start += 500) {
      const events = rows.slice(start, start + 500).map((row) => ({
        tenant_id: tenant.id,
        callback_id: row.id,
        type: 'callback.created',
        payload: '{}',
        created_at: row.created_at,
      }));
      await kysely.insertInto('callback_events').values(events).execute();
    }
    await kysely.deleteFrom('callback_event_outbox').execute();
    if (engine === 'postgres') await sql`analyze`.execute(kysely);
    else await t.services.lifecycle.refreshPlannerStatistics();
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  /** Every statement that read or changed callbacks while `run` ran, with its plan. */
  async function plansOf(run: () => Promise<void>) {
    statements.clear();
    capturing = true;
    try {
      await run();
    } finally {
      capturing = false;
    }
    const { kysely } = t.services.store.db;
    const plans: { statement: string; plan: string }[] = [];
    for (const [statement, parameters] of statements) {
      const explain = engine === 'postgres' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
      const { rows } = await kysely.executeQuery(
        CompiledQuery.raw(explain + statement, [...parameters]),
      );
      const plan = rows
        .map((r) =>
          String((r as Record<string, unknown>)[engine === 'postgres' ? 'QUERY PLAN' : 'detail']),
        )
        .join('\n');
      plans.push({ statement, plan });
    }
    return plans;
  }

  // SQLite: "SCAN callbacks" (with or without USING INDEX) walks the whole table or index;
  // PostgreSQL: a sequential scan does.
  const fullScan = engine === 'postgres' ? /Seq Scan on callbacks\b/ : /\bSCAN callbacks\b/;

  it('booking, queue answers, dispatch and bulk changes never scan the callbacks table', async () => {
    const call = async (method: 'GET' | 'POST', url: string, payload?: object, admin = false) => {
      const headers = admin
        ? { cookie: tenant.cookies.Administrator }
        : {
            'x-api-key': url.startsWith('/dispatch')
              ? tenant.keys.dispatch
              : tenant.keys.engagement,
          };
      const { res, body } = await t.call({ method, url, headers, ...(payload && { payload }) });
      // Purge and bulk cancel answer 202 at once and go on as jobs.
      expect([200, 202], `${method} ${url}: ${JSON.stringify(body.status)}`).toContain(
        res.statusCode,
      );
      return body.data;
    };
    const plans = await plansOf(async () => {
      const created = (await call('POST', '/engagement/v3/callbacks/create', {
        serviceName: 'q1',
        phoneNumber: '+12125559901',
      })) as { id: string };
      await call('POST', '/engagement/v3/callbacks/create', {
        serviceName: 'q2',
        phoneNumber: '+12125559902',
        desiredTime: new Date(t.clock.now() + 2 * 3_600_000).toISOString(),
      });
      await call('GET', '/engagement/v3/callbacks/queue-status/q1');
      await call('GET', '/engagement/v3/callbacks/availability/q2?numberOfDays=7');
      await call('GET', '/engagement/v3/callbacks/open-for/q1?returnWithinImmediateOfferTime=true');
      await call('POST', '/engagement/v3/callbacks/retrieve', { id: created.id });
      await call('POST', '/engagement/v3/callbacks/query', { phoneNumber: '+12125559901' });
      const claimed = (await call('POST', '/dispatch/v1/claim', {
        serviceNames: QUEUES,
        maxCallbacks: 5,
      })) as { callbacks: { id: string }[] };
      const ids = claimed.callbacks.map((c) => c.id);
      await call('POST', '/dispatch/v1/start', { ids });
      await call('POST', '/dispatch/v1/finish', {
        results: ids.map((id) => ({ id, outcome: 'NO_ANSWER' })),
      });
      await call('POST', '/engagement/v3/callbacks/cancel', { id: created.id });
      await call('POST', '/admin/v1/queues/q3/purge', {}, true);
      await call('POST', '/admin/v1/callbacks/bulk-cancel', { serviceName: 'q4' }, true);
      await t.services.adminJobs.idle();
      await t.services.lifecycle.raiseUpcoming(t.clock.now());
      await t.services.queueMonitor.forTenant(tenant.id);
      await t.services.eventDispatcher.dispatch(t.clock.now());
      await t.services.lifecycle.expireTtl(t.clock.now());
      await t.services.lifecycle.promoteDue(t.clock.now() + 86_400_000);
      await t.services.lifecycle.recoverLeases(t.clock.now() + 86_400_000);
    });
    // SHOW_PLANS=1 prints every statement with its plan, to review them by eye.
    if (process.env.SHOW_PLANS) {
      for (const p of plans) console.log(`${p.statement}\n  ${p.plan.split('\n').join('\n  ')}`);
    }
    expect(plans.length).toBeGreaterThan(10);
    const scans = plans.filter((p) => fullScan.test(p.plan));
    expect(scans.map((s) => `${s.statement}\n${s.plan}`)).toEqual([]);
    // Rows picked by id are found by primary key: a state index instead visits every waiting
    // callback per batch (what made a 1 000 000 purge take minutes).
    const byId = plans.filter((p) => /"callbacks" .*"id" in \(/.test(p.statement));
    expect(byId.length).toBeGreaterThan(3);
    const primaryKey = engine === 'postgres' ? /callbacks_pkey/ : /sqlite_autoindex_callbacks_1/;
    const elsewhere = byId.filter((p) => !primaryKey.test(p.plan));
    expect(elsewhere.map((s) => `${s.statement}\n${s.plan}`)).toEqual([]);
    // Reads of a part of the callbacks go through the partial index that holds only that part (a
    // search through a wider index passes the scan check above but still reads the history).
    for (const [statement, index] of PARTIAL_INDEX_READS) {
      const matching = plans.filter(
        (p) => statement.test(p.statement) && !/^\s*update/i.test(p.statement),
      );
      expect(matching.length, `no statement matched ${statement}`).toBeGreaterThan(0);
      const astray = matching.filter((p) => !index.test(p.plan));
      expect(
        astray.map((s) => `${s.statement}\n${s.plan}`),
        `expected ${index}`,
      ).toEqual([]);
    }
  });

  it('a tenant’s callbacks by a long list of ids are found by primary key', async () => {
    // The outbox reads a batch of a purge's callbacks at once: thousands of ids. SQLite, its
    // statistics sampled, walked the tenant's whole index instead from about a thousand on.
    const ids = seededIds.slice(0, 3_000);
    const plans = await plansOf(async () => {
      expect(await t.services.store.callbacks.byIds(tenant.id, ids)).toHaveLength(ids.length);
      expect(await t.services.store.callbacks.byIds('another-tenant', ids)).toEqual([]);
    });
    expect(plans.length).toBeGreaterThan(0);
    // PostgreSQL may rightly read 3 000 of these 20 000 rows in one sequential pass; it keeps
    // exact statistics and goes by primary key when the table is large.
    for (const p of plans) {
      expect(p.plan).not.toMatch(/callbacks_tenant_created/);
      if (engine === 'sqlite') expect(p.plan).toMatch(/sqlite_autoindex_callbacks_1/);
    }
  });

  it("the console's callback search, in any sort, reads only the window's callbacks", async () => {
    // A page is the window's callbacks sorted and cut: the window is found through an index
    // (created time: callbacks_tenant_created), so a sort costs the window, never the history;
    // PostgreSQL may instead walk an index already in the sort's order and stop at the page's end.
    const sorts = ['', 'phone', '-queue', 'state', '-desired', 'attempts', '-created'];
    const plans = await plansOf(async () => {
      // The seeded history's first day: 1 440 callbacks.
      const from = t.clock.now() - 30 * 86_400_000;
      const window = `from=${new Date(from).toISOString()}&to=${new Date(from + 86_400_000).toISOString()}`;
      for (const sort of sorts) {
        const search = `/admin/v1/callbacks?range=custom&${window}&limit=5${sort === '' ? '' : `&sort=${sort}`}`;
        const headers = { cookie: tenant.cookies.Administrator };
        const first = await t.call<{ nextBefore?: string }>({
          method: 'GET',
          url: search,
          headers,
        });
        const cursor = first.body.data.nextBefore ?? '';
        expect(cursor).not.toBe('');
        const next = await t.call({ method: 'GET', url: `${search}&before=${cursor}`, headers });
        expect(next.res.statusCode).toBe(200);
      }
    });
    if (process.env.SHOW_PLANS) {
      for (const p of plans) console.log(`${p.statement}\n  ${p.plan.split('\n').join('\n  ')}`);
    }
    const searches = plans.filter((p) => /order by/.test(p.statement));
    expect(searches.length).toBeGreaterThanOrEqual(sorts.length * 2);
    for (const p of searches) {
      expect(p.plan, p.statement).not.toMatch(fullScan);
      expect(p.plan, p.statement).toMatch(
        /USING (COVERING )?INDEX callbacks_|Index (Only )?Scan (Backward )?(using|on) callbacks_/,
      );
    }
  });

  it("retention finds a queue's old completions through the queue's completion index", async () => {
    // Retention of 30 days with the seeded history reaching 30 days back: a few rows per queue.
    const plans = await plansOf(async () => {
      await t.services.lifecycle.applyRetention(t.clock.now());
    });
    const selects = plans.filter((p) => /^\s*select/i.test(p.statement));
    expect(selects.length).toBeGreaterThan(0);
    for (const p of selects) expect(p.plan).toMatch(/callbacks_completed_in_queue/);
  });
});
