import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { FIGURE_MAX_AGE_MS } from '../../../src/infra/queue-figures.js';
import { describeEngines } from '../../helpers/engines.js';
import { startTestApp, type TestApp, type TestTenant } from '../../helpers/app.js';

/** How long a dialer's agent report counts (services/dispatch.ts). */
const AGENT_REPORT_FRESH_MS = 5 * 60_000;

describeEngines("a queue's figures are recounted when it changes, not when polled", (engine) => {
  let t: TestApp & { dropDatabase(): Promise<void> };
  let tenant: TestTenant;
  let queue = 0;
  let serviceName = '';

  beforeAll(async () => {
    t = await startTestApp(engine);
    tenant = await t.tenant('acme');
  });
  afterAll(async () => {
    await t.close();
    await t.dropDatabase();
  });

  // Each test gets its own 24/7 queue.
  beforeEach(async () => {
    serviceName = `figures${++queue}`;
    t.clock.set('2026-11-25T15:00:00Z');
    await t.services.queues.create({ tenantId: tenant.id, name: 'test' }, { name: serviceName });
  });

  const status = async () =>
    (
      await t.call<{ ewt: number; offerImmediateCallback: boolean }>({
        method: 'GET',
        url: `/engagement/v3/callbacks/queue-status/${serviceName}`,
        headers: { 'x-api-key': tenant.keys.engagement },
      })
    ).body.data;

  /** How many times the store counted the queue's waiting callbacks while `run` ran. */
  async function countsDuring(run: () => Promise<unknown>) {
    const counted = vi.spyOn(t.services.store.callbacks, 'countQueued');
    try {
      await run();
      return counted.mock.calls.filter(([, name]) => name === serviceName).length;
    } finally {
      counted.mockRestore();
    }
  }

  it('polling an unchanged queue reads its figures once; a change is counted at the next answer', async () => {
    const polls = await countsDuring(async () => {
      for (let i = 0; i < 5; i++) {
        await status();
        t.clock.advance(FIGURE_MAX_AGE_MS / 6);
      }
    });
    expect(polls).toBe(1);
    const booked = await t.call({
      method: 'POST',
      url: '/engagement/v3/callbacks/create',
      headers: { 'x-api-key': tenant.keys.engagement },
      payload: { serviceName, phoneNumber: '+12125550170' },
    });
    expect(booked.res.statusCode).toBe(200);
    expect(await countsDuring(status)).toBe(1);
    expect(await countsDuring(status)).toBe(0);
  });

  it('an agent report stops counting when it goes stale, without a change to the queue', async () => {
    const report = await t.call({
      method: 'POST',
      url: '/dispatch/v1/agents',
      headers: { 'x-api-key': tenant.keys.dispatch },
      payload: { serviceName, loggedIn: 0, available: 0 },
    });
    expect(report.body.status.code).toBe(0);
    // Nobody logged in: no immediate callback is offered.
    expect((await status()).offerImmediateCallback).toBe(false);
    t.clock.advance(AGENT_REPORT_FRESH_MS);
    expect((await status()).offerImmediateCallback).toBe(false);
    // Polled all along, so the figure read with the report is still remembered when it goes stale.
    t.clock.advance(1);
    expect((await status()).offerImmediateCallback).toBe(true);
  });
});
