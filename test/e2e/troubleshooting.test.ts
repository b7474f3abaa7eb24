import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestTenant } from '../helpers/app.js';
import { seedCallbacks, waitingCallback } from '../integration/reliability/seed.js';
import {
  CAPTCHA_SECRET,
  CAPTCHA_SITE_KEY,
  startFakes,
  type Fakes,
} from '../integration/integrations/fakes.js';

const SHOTS = path.join(SCREENSHOTS, 'troubleshooting');
const TENANT = 'acme';
// Wednesday 10:00 in New York: the support queue is open until 17:00.
const NOW = '2026-11-25T15:00:00.000Z';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe.skipIf(CHROMIUM === undefined)(
  'troubleshooting and long operations in the console',
  () => {
    let t: Awaited<ReturnType<typeof startTestApp>>;
    let fakes: Fakes;
    let acme: TestTenant;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;

    const shot = async (name: string) => {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    };
    const tab = (name: string) => page.getByRole('tab', { name, exact: true });
    const horizontalOverflow = () =>
      page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
    const engagement = async (pathname: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}/engagement/v3${pathname}`, {
        ...init,
        headers: {
          'x-api-key': acme.keys.engagement,
          'content-type': 'application/json',
          ...init.headers,
        },
      });
      return (await res.json()) as { status: { code: number }; data: Record<string, unknown> };
    };
    const login = async (username: string) => {
      await page.goto(base);
      await page.getByLabel('Tenant').fill(TENANT);
      await page.getByLabel('User name').fill(username);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('who').waitFor();
    };
    const seed = (serviceName: string, count: number, from: number) =>
      seedCallbacks(
        t.services.store,
        Array.from({ length: count }, (_, i) =>
          waitingCallback({ tenantId: TENANT, serviceName, index: from + i, now: t.clock.now() }),
        ),
      );

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      fakes = await startFakes();
      t = await startTestApp('sqlite', { env: fakes.env });
      t.clock.set(NOW);
      acme = await t.tenant(TENANT, { timezone: 'America/New_York' });
      const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
      await t.services.queues.create(
        { tenantId: TENANT, name: 'test' },
        {
          name: 'support',
          timezone: 'America/New_York',
          businessHours: {
            weekly: Object.fromEntries(weekdays.map((d) => [d, [['09:00', '17:00']]])),
          },
          immediateOfferHours: { weekly: { wed: [['09:00', '11:00']] } },
          slotDurationMinutes: 60,
          slotCapacity: 3,
        },
      );
      // A queue that opens only on weekends: closed now, so "As soon as possible" is not offered.
      await t.services.queues.create(
        { tenantId: TENANT, name: 'test' },
        {
          name: 'weekend',
          timezone: 'Europe/Paris',
          businessHours: { weekly: { sat: [['10:00', '14:00']] } },
        },
      );
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
      context = await browser.newContext({ timezoneId: 'America/New_York', viewport: DESKTOP });
      page = await context.newPage();
      await login('administrator');
    });

    afterAll(async () => {
      await browser?.close();
      await t?.services.adminJobs.idle();
      await t?.close();
      await t?.dropDatabase();
      await fakes?.close();
    }, 90_000);

    it('queue check: queue-status, open-for with each flag and availability as the API answers them, with curl', async () => {
      await tab('Tools').click();
      const panel = page.getByRole('region', { name: 'Queue check' });
      await panel.getByRole('link', { name: /API reference/ }).waitFor();
      expect(await panel.getByRole('link', { name: /API reference/ }).getAttribute('href')).toBe(
        '/docs',
      );
      await panel.locator('select').first().selectOption('support');

      await panel.getByRole('button', { name: 'Check queue status' }).click();
      const status = panel.getByTestId('qcheck-status');
      await expect.poll(() => status.innerText()).toContain('Offer “As soon as possible”\nyes');
      expect(await status.innerText()).toContain('unknown (-1)');

      // Each flag adds its field, as the API answers it.
      await panel.getByRole('button', { name: 'Ask open-for' }).click();
      const open = panel.getByTestId('qcheck-open');
      await expect.poll(() => open.innerText()).toContain('openFor\n25200 s (7 h 0 min)');
      const direct = await engagement(
        '/callbacks/open-for/support?queryImmediateOfferHours=true&returnWithinImmediateOfferTime=true&checkImmediateEnabled=true&timezone=America%2FNew_York',
      );
      expect(direct.data).toEqual({
        openFor: 25200,
        immediateOfferHoursOpenFor: 3600,
        isWithinImmediateOfferTime: true,
        isImmediateEnabled: true,
      });
      const text = await open.innerText();
      expect(text).toContain('immediateOfferHoursOpenFor\n3600 s (1 h 0 min)');
      expect(text).toContain('isWithinImmediateOfferTime\nyes');
      expect(text).toContain('isImmediateEnabled\nyes');
      await panel.getByLabel('checkImmediateEnabled').uncheck();
      await panel.getByRole('button', { name: 'Ask open-for' }).click();
      await expect.poll(() => open.innerText()).not.toContain('isImmediateEnabled');

      // Availability for a chosen range and zone: tomorrow 09:00-17:00 New York in UTC.
      await panel.locator('select').nth(1).selectOption('UTC');
      await panel.getByLabel(/^From .* date$/).fill('2026-11-26');
      await panel.getByLabel(/^From .* time$/).fill('00:00');
      await panel.getByLabel('Days').fill('1');
      await panel.getByRole('button', { name: 'Ask availability' }).click();
      const summary = panel.getByTestId('qcheck-slots-summary');
      await expect.poll(() => summary.innerText()).toBe('8 slots of 60 min; localTime in UTC.');
      const firstSlot = panel.getByRole('table', { name: 'Slots' }).locator('tbody tr').first();
      expect(await firstSlot.innerText()).toContain('2026-11-26T14:00:00');
      const curls = await panel.getByTestId('qcheck-curl').allInnerTexts();
      expect(curls.at(-1)).toBe(
        `curl -sS '${base}/engagement/v3/callbacks/availability/support?start=2026-11-26T00%3A00%3A00.000Z&numberOfDays=1&timezone=UTC' -H "x-api-key: $API_KEY"`,
      );
      await shot('queue-check-desktop');

      // A closed queue: "As soon as possible" is explained, not silently offered.
      await panel.locator('select').first().selectOption('weekend');
      await panel.getByRole('button', { name: 'Check queue status' }).click();
      const asap = panel.getByTestId('qcheck-asap');
      await expect.poll(() => asap.innerText()).toContain('the queue is closed now');
      expect(await asap.innerText()).toContain('The API still books an immediate callback');

      await page.setViewportSize(PHONE);
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
      await shot('queue-check-phone');
      await page.setViewportSize(DESKTOP);
    }, 90_000);

    it('error log: prefix search, status and path filters, message column, body first, full message, curl', async () => {
      await engagement('/callbacks/create', {
        method: 'POST',
        headers: { 'x-correlation-id': 'checkout-page-0001' },
        body: JSON.stringify({ serviceName: 'support', phoneNumber: '12', userData: { a: 'b' } }),
      });
      await engagement('/callbacks/queue-status/nowhere', {
        headers: { 'x-correlation-id': 'status-widget-0002' },
      });
      await tab('Developer').click();
      await tab('Errors').click();
      const table = page.getByRole('table', { name: 'Errors' });
      await table.waitFor();
      expect(await table.locator('thead th').allInnerTexts()).toEqual([
        'Time',
        'Correlation ID',
        'Request',
        'Status',
        'Message',
      ]);

      await page.getByLabel('Status').selectOption('404');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect
        .poll(() => table.locator('tbody tr').allInnerTexts())
        .toEqual([expect.stringContaining('status-widget-0002')]);
      await page.getByLabel('Status').selectOption('');
      await page.getByLabel('Path starts with').fill('/engagement/v3/callbacks/create');
      await page.getByLabel('Correlation ID').fill('CHECKOUT-page');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect
        .poll(() => table.locator('tbody tr').allInnerTexts())
        .toEqual([expect.stringContaining('checkout-page-0001')]);
      const row = (await table.locator('tbody tr').innerText()).split('\t');
      expect(row[4]).toMatch(/phoneNumber/);

      await page.getByRole('button', { name: 'checkout-page-0001' }).click();
      const detail = page.getByRole('complementary', { name: 'Error detail' });
      await detail.getByTestId('error-request').waitFor();
      // The body comes before the response and the headers, the message in full.
      const order = await detail.evaluate((el) =>
        ['error-message', 'error-request', 'error-response', 'error-headers'].map((id) => {
          const node = el.querySelector(`[data-testid="${id}"]`);
          return node === null ? -1 : Array.from(el.querySelectorAll('*')).indexOf(node);
        }),
      );
      expect(order.every((n, i) => n >= 0 && (i === 0 || n > (order[i - 1] ?? 0)))).toBe(true);
      const body = await detail.getByTestId('error-request').innerText();
      expect(JSON.parse(body)).toEqual({
        serviceName: 'support',
        phoneNumber: '12',
        userData: '[REDACTED]',
      });
      const logged = await t.services.errors.list(TENANT, { limit: 1, corrIdPrefix: 'checkout' });
      expect(await detail.getByTestId('error-message').innerText()).toContain(
        logged.items[0]?.message ?? 'missing',
      );
      expect(await detail.getByTestId('error-curl').innerText()).toBe(
        `curl -sS -X POST '${base}/engagement/v3/callbacks/create' -H "x-api-key: $API_KEY" -H 'x-correlation-id: checkout-page-0001' -H 'content-type: application/json' --data '{"serviceName":"support","phoneNumber":"12","userData":"[REDACTED]"}'`,
      );
      await shot('errors-desktop');
      await page.setViewportSize(PHONE);
      expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
      await shot('errors-phone');
      await page.setViewportSize(DESKTOP);
    }, 90_000);

    it('CAPTCHA can be required only once its credential test passes, after a confirmation stating the effect', async () => {
      await t.services.credentials.save({ tenantId: TENANT, name: 'test' }, 'captcha', {
        provider: 'recaptcha',
        siteKey: CAPTCHA_SITE_KEY,
        secret: 'a-wrong-secret-0123456789',
      });
      await tab('Credential Management').click();
      await page.getByRole('tab', { name: 'CAPTCHA' }).click();
      const card = page.locator('.captcha-required');
      await card.getByRole('button', { name: 'Require CAPTCHA for every booking…' }).click();
      const refused = card.getByRole('alertdialog', { name: 'CAPTCHA cannot be required' });
      await expect.poll(() => refused.innerText()).toContain('rejected the secret key');
      expect(await card.getByRole('button', { name: 'Yes, require CAPTCHA' }).count()).toBe(0);
      await refused.getByRole('button', { name: 'Close' }).click();

      await t.services.credentials.save({ tenantId: TENANT, name: 'test' }, 'captcha', {
        provider: 'recaptcha',
        siteKey: CAPTCHA_SITE_KEY,
        secret: CAPTCHA_SECRET,
      });
      await card.getByRole('button', { name: 'Require CAPTCHA for every booking…' }).click();
      const ask = card.getByRole('alertdialog', { name: 'Require CAPTCHA?' });
      await expect
        .poll(() => ask.innerText())
        .toContain('Every booking without a solved captchaToken will be refused');
      // Focus rests on the choice that changes nothing: a stray Enter keeps things as they are.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
        'Keep bookings as they are',
      );
      await shot('captcha-confirm');
      await ask.getByRole('button', { name: 'Yes, require CAPTCHA' }).click();
      await card.getByText('CAPTCHA is now required').waitFor();
      expect(await card.getByTestId('captcha-state').innerText()).toMatch(/^Required/);
      const refusedBooking = await engagement('/callbacks/create', {
        method: 'POST',
        body: JSON.stringify({ serviceName: 'support', phoneNumber: '+12125550188' }),
      });
      expect(refusedBooking.status.code).toBe(40005);

      await card.getByRole('button', { name: 'Stop requiring CAPTCHA…' }).click();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
        'Keep requiring CAPTCHA',
      );
      await card.getByRole('button', { name: 'Yes, stop requiring it' }).click();
      await card.getByText('CAPTCHA is no longer required').waitFor();
    }, 90_000);

    it('purge runs as a job: the confirmation says how many, progress and outcome survive closing the page', async () => {
      await seed('support', 4_000, 0);
      await tab('Tools').click();
      await page.locator('.section-head select').first().selectOption('support');
      await page.getByRole('button', { name: 'Purge support now' }).click();
      await page.getByText('Purge 4,000 waiting callbacks of support?').waitFor();
      await page.getByRole('button', { name: 'Yes, purge' }).click();
      // Progress or, if it was quick, the outcome; then the page is closed mid-way.
      await page
        .locator('[data-testid="job-progress"], [data-testid="job-outcome"]')
        .first()
        .waitFor();
      await shot('purge-progress');
      await page.close();

      page = await context.newPage();
      await page.setViewportSize(DESKTOP);
      await page.goto(base);
      await page.getByTestId('who').waitFor();
      await tab('Tools').click();
      await page.locator('.section-head select').first().selectOption('support');
      const outcome = page.getByTestId('job-outcome');
      await expect
        .poll(() => outcome.innerText(), { timeout: 20_000 })
        .toContain('4,000 waiting callbacks purged from support.');
      expect(
        await t.services.store.lifecycle.countWaiting({ tenantId: TENANT, serviceName: 'support' }),
      ).toBe(0);
      await shot('purge-outcome');
      await outcome.getByRole('button', { name: 'Dismiss' }).click();
      await page.getByText('Nothing waits in support.').waitFor();
    }, 90_000);

    it('bulk cancel runs as a job with its outcome, and the live panel shows outcomes, average wait and update time', async () => {
      await seed('support', 3, 5_000);
      await tab('Callback').click();
      const rows = page.getByRole('table', { name: 'Callbacks' }).locator('tbody tr');
      await expect.poll(() => rows.count()).toBeGreaterThan(2);
      const boxes = page.getByRole('checkbox', { name: /^Select \+/ });
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await page.getByRole('button', { name: 'Cancel selected' }).click();
      await page.getByText('Cancel 2 waiting callbacks?').waitFor();
      await page.getByRole('button', { name: 'Yes, cancel them' }).click();
      await expect
        .poll(() => page.getByTestId('job-outcome').innerText())
        .toContain('2 callbacks cancelled.');

      const live = page.getByTestId('live-support');
      await page.reload();
      await live.waitFor();
      await expect.poll(() => live.innerText()).toContain('4002 completed today');
      const text = await live.innerText();
      expect(text).toContain('4000 purged');
      expect(text).toContain('2 cancelled by admin');
      expect(text).toContain('Average wait today');
      expect(await page.getByTestId('live-updated').innerText()).toMatch(/^Updated \d\d:\d\d/);
      await shot('callback-bulk-cancel');
    }, 90_000);
  },
);
