import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestTenant } from '../helpers/app.js';

const TENANT = 'acme';
// 2026-11-25 is a Wednesday; 15:00Z is 10:00 in New York, seven hours before the 17:00 close.
const NOW = '2026-11-25T15:00:00.000Z';

describe.skipIf(CHROMIUM === undefined)('the web console in Chromium', () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let acme: TestTenant;
  let browser: Browser;
  let page: Page;
  let base: string;

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const tab = (name: string) => page.getByRole('tab', { name, exact: true });
  const mainTabs = () =>
    page.getByRole('tablist', { name: 'Console sections' }).getByRole('tab').allInnerTexts();
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
  const openFor = async () =>
    (await engagement('/callbacks/open-for/support')).data.openFor as number;

  const login = async (username: string) => {
    await page.goto(base);
    await page.getByLabel('Tenant').fill(TENANT);
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
  };
  const logout = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  };

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    console.log(`Console screenshots: ${SCREENSHOTS}`);
    t = await startTestApp('sqlite');
    t.clock.set(NOW);
    acme = await t.tenant(TENANT, { timezone: 'America/New_York' });
    await t.services.queues.create(
      { tenantId: TENANT, name: 'test' },
      {
        name: 'support',
        businessHours: {
          weekly: Object.fromEntries(
            ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]),
          ),
        },
        slotDurationMinutes: 60,
        slotCapacity: 3,
      },
    );
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext({
      timezoneId: 'America/New_York',
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await t?.dropDatabase();
  });

  it('shows each role only its tabs', async () => {
    const expected: [string, string[]][] = [
      ['monitor', ['Callback']],
      ['developer', ['Callback', 'Developer', 'Tools']],
      ['supervisor', ['Callback', 'Tools']],
      ['administrator', ['Callback', 'Developer', 'Call-In', 'Tools']],
    ];
    for (const [username, tabs] of expected) {
      await login(username);
      expect(await mainTabs(), username).toEqual(tabs);
      if (username === 'monitor') {
        await page.getByText('can look at callbacks but not change them').waitFor();
        expect(await page.getByRole('button', { name: 'New callback' }).count()).toBe(0);
        await shot('callback-tab-monitor');
      }
      if (username !== 'administrator') await logout();
    }
    // Four sign-ins, each loading the Callback tab: past 30 s on a busy two-core machine.
  }, 60_000);

  it('finds an API error by its correlation ID, with the key redacted', async () => {
    const corrId = `e2e-${Date.now()}`;
    const bad = await engagement('/callbacks/create', {
      method: 'POST',
      headers: { 'x-correlation-id': corrId },
      body: JSON.stringify({ serviceName: 'support', phoneNumber: '12' }),
    });
    expect(bad.status.code).toBe(40003);

    await tab('Developer').click();
    await tab('Errors').click();
    await page.getByLabel('Correlation ID').fill(corrId);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: corrId }).click();
    // The key is among the request headers, redacted.
    const request = (await page.getByTestId('error-headers').textContent()) ?? '';
    expect(request).toContain('[REDACTED]');
    expect(request).not.toContain(acme.keys.engagement);
    expect(await page.getByTestId('error-response').innerText()).toContain('40003');
    await shot('developer-errors');
  });

  it('validates a good and a bad API key, and says its scope and kind', async () => {
    await tab('API Key Validation').click();
    const verdict = page.getByTestId('key-verdict');
    for (const [key, message] of [
      [acme.keys.engagement, 'Valid API Key — engagement, server'],
      [acme.keys.browser, 'Valid API Key — engagement, browser'],
      [acme.keys.dispatch, 'Valid API Key — dispatch, server'],
    ] as const) {
      await page.getByRole('textbox', { name: 'API key' }).fill(key);
      await page.getByRole('button', { name: 'Validate' }).click();
      await expect.poll(() => verdict.innerText()).toBe(message);
    }
    // A valid dispatch key is still the wrong key for the Engagement API: the panel says so.
    expect(await page.getByTestId('key-reach').innerText()).toContain('Engagement API refuses it');
    await page.getByRole('textbox', { name: 'API key' }).fill('ocb_certainly_not_a_key');
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => verdict.innerText()).toBe('Invalid API Key');
    await shot('developer-key-validation');
    await tab('Credential Management').click();
    await page.getByRole('tab', { name: 'Push Notification' }).click();
    await shot('developer-credentials');
    await tab('Allowed CORS Domains').click();
    await shot('developer-cors');
  });

  it('creates a scheduled callback from a free slot, reschedules it and cancels it', async () => {
    await tab('Callback').click();
    await page.getByRole('button', { name: 'New callback' }).click();
    const form = page.getByRole('form', { name: 'Create a callback' });
    await form.getByLabel('Phone number').fill('+1 212 555 0100');
    await form.getByLabel('Scheduled').check();
    // Slots are offered in the display zone (the tenant's, New York), from now (10:00) on.
    const slot = form.getByLabel('Free slot');
    await expect.poll(() => slot.locator('option').first().innerText()).toBe('10:00');
    await slot.selectOption({ label: '11:00' });
    await form.getByRole('button', { name: 'Create callback' }).click();

    const detail = page.getByRole('complementary', { name: 'Callback detail' });
    const state = detail.getByTestId('detail-state');
    await expect.poll(() => state.innerText()).toBe('SCHEDULED');
    expect(await detail.getByTestId('detail-desired').innerText()).toContain('11:00');
    const [created] = await t.services.store.callbacks.find(TENANT, { limit: 1 });
    expect(created?.desired_time).toBe(Date.parse('2026-11-25T16:00:00Z'));
    await shot('callback-tab');

    await detail.getByRole('button', { name: 'Reschedule' }).click();
    await detail.getByLabel('Free slot').selectOption({ label: '14:00' });
    await detail.getByRole('button', { name: 'Move to this slot' }).click();
    await expect.poll(() => detail.getByTestId('detail-desired').innerText()).toContain('14:00');

    await detail.getByRole('button', { name: 'Cancel callback' }).click();
    await detail.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect.poll(() => state.innerText()).toBe('COMPLETED');
    const stored = await t.services.booking.get(TENANT, created?.id ?? '');
    expect(stored).toMatchObject({
      state: 'COMPLETED',
      reason: 'CANCELLED_BY_ADMIN',
      desired_time: Date.parse('2026-11-25T19:00:00Z'),
    });
    expect(await detail.locator('.history li').allInnerTexts()).toEqual([
      expect.stringContaining('Booked'),
      expect.stringContaining('Moved to another time'),
      expect.stringContaining('Cancelled in the console'),
    ]);
  });

  it('edits business hours and the Engagement API open-for follows', async () => {
    expect(await openFor()).toBe(7 * 3600);
    await tab('Tools').click();
    await page.getByLabel('Wednesday interval 1 closes').fill('12:00');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings of support saved.').waitFor();
    expect(await openFor()).toBe(2 * 3600);
    await shot('tools-tab');
  });

  it('refetches the tenant configuration and shows the new time', async () => {
    const refreshed = page.getByTestId('last-refreshed');
    await page.getByRole('button', { name: 'Refetch now' }).click();
    await expect.poll(() => refreshed.innerText()).toBe('Wed, Nov 25, 10:00');
    t.clock.advance(7 * 60_000);
    await page.getByRole('button', { name: 'Refetch now' }).click();
    await expect.poll(() => refreshed.innerText()).toBe('Wed, Nov 25, 10:07');
  });

  it('an Administrator makes a browser key and disables a user in Tools', async () => {
    await tab('Tools').click();
    const keys = page.getByRole('region', { name: 'API keys' });
    await keys.getByLabel('Key name').fill('shop page');
    await keys.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').innerText()).trim();
    await page
      .getByTestId('api-keys')
      .getByRole('row', { name: /shop page/ })
      .waitFor();
    expect(
      await page
        .getByTestId('api-keys')
        .getByRole('row', { name: /shop page/ })
        .innerText(),
    ).toMatch(/engagement\s+browser/);
    // The new key is a browser key: listing every callback needs a server key.
    const listed = await engagement('/callbacks/query', {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: '{}',
    });
    expect(listed.status.code).toBe(40303);

    const users = page.getByRole('region', { name: 'Users' });
    await users.getByLabel('User name').fill('temp');
    await users.getByLabel('Password (empty: generate one)').fill('aaaaaaaa');
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
    await users.getByLabel('Password (empty: generate one)').fill('');
    await users.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByTestId('users').getByRole('row', { name: /temp/ });
    await row.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => row.innerText()).toContain('disabled');
    await shot('tools-access');
  });

  it('keeps working in a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await tab('Callback').click();
    await page.getByRole('button', { name: 'New callback' }).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('callback-tab-narrow');
    await tab('Call-In').click();
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('callin-tab');
  });

  it('returns to the login with a notice once the server has ended an idle session', async () => {
    t.clock.advance(21 * 60_000);
    await tab('Tools').click();
    await page.getByText('Your session has ended').waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    await shot('login-after-timeout');
  });
});
