/**
 * Blocked numbers are patterns that cannot backtrack: the regular expression that stalled every
 * booking is refused, expressions with an exact equivalent are converted, stored ones migrated.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migrate } from '../../../src/store/db.js';
import { describeEngines } from '../../helpers/engines.js';
import { NEW_YORK_OFFICE, startBooking, type BookingHarness } from './helpers.js';

const NOW = '2026-11-25T15:00:00.000Z';
const EVIL = '^\\+(\\d?\\d?\\d?\\d?)+x$';

describeEngines('blocked-number patterns', (engine) => {
  let h: BookingHarness;
  const asSupervisor = (url: string, payload: object) =>
    h.t.call<{ numberRule: { blocked: string[] } }>({
      method: 'PATCH',
      url: `/admin/v1${url}`,
      headers: { cookie: h.tenant.cookies.Supervisor },
      payload,
    });

  beforeAll(async () => {
    h = await startBooking(engine);
    await h.createQueue({ name: 'support', ...NEW_YORK_OFFICE });
  });
  afterAll(async () => h.close());
  beforeEach(() => h.t.clock.set(NOW));

  it('refuses the catastrophic regular expression with the syntax to use instead', async () => {
    const { res, body } = await asSupervisor('/queues/support', {
      numberRule: { blocked: [EVIL] },
    });
    expect(res.statusCode).toBe(400);
    expect(body.status.code).toBe(40001);
    expect(body.status.message).toMatch(
      /numberRule\.blocked\[0\]: .* no pattern means exactly the same .*"\+1900\*"/,
    );
    await h.bookOk({ serviceName: 'support', phoneNumber: '+12125550100' });
  });

  it('converts an expression with an exact pattern and blocks the same numbers', async () => {
    const { res, body } = await asSupervisor('/queues/support', {
      numberRule: { blocked: ['^\\+1212555\\d{3}7$', '+*666'] },
    });
    expect(res.statusCode, JSON.stringify(body.status)).toBe(200);
    expect(body.data.numberRule.blocked).toEqual(['+1212555???7', '+*666']);
    await h.expectError(
      await h.book({ serviceName: 'support', phoneNumber: '+12125550107' }),
      400,
      40004,
      /matches the blocked pattern "\+1212555\?\?\?7"/,
    );
    await h.expectError(
      await h.book({ serviceName: 'support', phoneNumber: '+12025550666' }),
      400,
      40004,
      /blocked pattern "\+\*666"/,
    );
    await h.bookOk({ serviceName: 'support', phoneNumber: '+12125550108' });
  });

  it('books as usual under the worst patterns the language allows', async () => {
    const worst = [`+${'*?'.repeat(99)}1`, `+${'?*'.repeat(99)}`, `+${'*1'.repeat(99)}2`];
    const { res } = await asSupervisor('/queues/support', { numberRule: { blocked: worst } });
    expect(res.statusCode).toBe(200);
    // 11 digits cannot hold 99 "?"s, nor 99 "1"s: nothing matches, every booking goes through.
    await h.bookOk({ serviceName: 'support', phoneNumber: '+12125550109' });
    await h.bookOk({ serviceName: 'support', phoneNumber: '+12125550111' });
  });

  it('the tenant configuration file: exact expressions converted, others refused', async () => {
    const doc = (blocked: string[]) => ({
      tenants: [
        { id: 'filed', timezone: 'UTC', queues: [{ name: 'support', numberRule: { blocked } }] },
      ],
    });
    await expect(h.t.services.tenantConfig.apply(doc([EVIL]), 'test')).rejects.toThrow(
      /numberRule\.blocked\[0\].*no pattern means exactly the same/,
    );
    expect(await h.t.services.queues.find('filed', 'support')).toBeUndefined();
    await h.t.services.tenantConfig.apply(doc(['^\\+1212555', '+44*']), 'test');
    const queue = await h.t.services.queues.get('filed', 'support');
    expect(queue.numberRule.blocked).toEqual(['+1212555*', '+44*']);
  });

  it('migrates stored expressions: exact ones converted, the others removed and audited', async () => {
    await h.createQueue({ name: 'legacy', ...NEW_YORK_OFFICE });
    const db = h.t.services.store.db;
    const row = await db.kysely
      .selectFrom('queues')
      .select('settings')
      .where('tenant_id', '=', h.tenant.id)
      .where('name', '=', 'legacy')
      .executeTakeFirstOrThrow();
    const old = JSON.parse(row.settings) as { numberRule: Record<string, unknown> };
    old.numberRule.blocked = ['^\\+1212555', EVIL, '^\\+44(70|76)'];
    // The queue as an earlier version stored it, and the upgrade run again over it.
    await db.kysely
      .updateTable('queues')
      .set({ settings: JSON.stringify(old) })
      .where('tenant_id', '=', h.tenant.id)
      .where('name', '=', 'legacy')
      .execute();
    await sql`delete from kysely_migration where name = '0012_number_patterns'`.execute(db.kysely);
    expect(await migrate(db)).toEqual(['0012_number_patterns']);

    const queue = await h.admin<{ numberRule: { blocked: string[] } }>('GET', '/queues/legacy');
    expect(queue.body.data.numberRule.blocked).toEqual(['+1212555*']);
    await h.expectError(
      await h.book({ serviceName: 'legacy', phoneNumber: '+12125550123' }),
      400,
      40004,
      /blocked pattern "\+1212555\*"/,
    );
    const audit = await db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', h.tenant.id)
      .where('action', '=', 'queue.numberRule.convert')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.target).toBe('legacy');
    expect(JSON.parse(audit[0]?.after ?? '{}')).toEqual({
      blocked: ['+1212555*'],
      removed: [EVIL, '^\\+44(70|76)'],
    });
  });
});
