import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AxeResults } from 'axe-core';
import { type Browser, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCaptcha, type FakeCaptcha } from '../fakes/fake-captcha.js';
import { PASSWORD, startTestApp, type TestTenant } from '../helpers/app.js';
import { seedCallbacks, waitingCallback } from '../integration/reliability/seed.js';

// Issue 18: the console at desktop and phone sizes, one display zone, deep links, guarded
// actions, plain-word form errors and an accessibility scan of every tab.

const SHOTS = path.join(SCREENSHOTS, 'layout');
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TENANT = 'globex';
// Wednesday 2026-11-25, 15:00Z: 10:00 in New York, 15:00 in London.
const NOW = '2026-11-25T15:00:00.000Z';
// "10:00 GMT" tomorrow in the London queue: 05:00 in the tenant's New York.
const LONDON_TEN = '2026-11-26T10:00:00.000Z';

const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
/** Every tab and section, by its URL. */
const PLACES = [
  { name: 'callback', url: '/callback', title: 'Callback · OpenCallback' },
  {
    name: 'developer-errors',
    url: '/developer/errors',
    title: 'Errors · Developer · OpenCallback',
  },
  {
    name: 'developer-keys',
    url: '/developer/keys',
    title: 'API Key Validation · Developer · OpenCallback',
  },
  {
    name: 'developer-credentials',
    url: '/developer/credentials',
    title: 'Credential Management · Developer · OpenCallback',
  },
  {
    name: 'developer-cors',
    url: '/developer/cors',
    title: 'Allowed CORS Domains · Developer · OpenCallback',
  },
  { name: 'callin', url: '/callin', title: 'Call-In · OpenCallback' },
  { name: 'tools', url: '/tools?queue=support', title: 'support · Tools · OpenCallback' },
] as const;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
/** Completed callbacks of last week: more than the console's page of 25. */
const HISTORY = 40;

/** WCAG contrast ratio of two "rgb(r, g, b)" colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r = 0, g = 0, bl = 0] = (css.match(/[\d.]+/g) ?? []).map(Number);
    const lin = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(bl);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

describe.skipIf(CHROMIUM === undefined)('the console on desktop and phone (issue 18)', () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let globex: TestTenant;
  let browser: Browser;
  let page: Page;
  let base: string;
  let londonId = '';
  let captcha: FakeCaptcha;
  const CAPTCHA_SECRET = 'e2e-captcha-secret-0123456789';

  const admin = (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) =>
    t.call<{ id: string }>({
      method,
      url: `/admin/v1${url}`,
      headers: { cookie: globex.cookies.Administrator },
      payload,
    });
  const engagement = (url: string, body: Record<string, unknown>) =>
    t.call({
      method: 'POST',
      url: `/engagement/v3${url}`,
      headers: { 'x-api-key': globex.keys.engagement },
      payload: body,
    });

  /** Waits until no panel shows its loading placeholder. */
  const settled = async () => {
    await page
      .waitForFunction(
        () =>
          document.querySelectorAll('[data-testid="loading"]').length === 0 &&
          document.querySelector('[aria-busy="true"]') === null,
        undefined,
        { timeout: 10_000 },
      )
      .catch(async (e: unknown) => {
        const busy = await page
          .locator('[data-testid="loading"], [aria-busy="true"]')
          .evaluateAll((els) => els.map((el) => el.outerHTML.slice(0, 300)));
        throw new Error(`${page.url()} still loading: ${busy.join(' | ')}`, { cause: e });
      });
  };
  const go = async (url: string) => {
    await page.goto(`${base}${url}`);
    await page.getByTestId('who').waitFor();
    await settled();
  };
  const overflow = () =>
    page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
  const axe = async () => {
    await page.evaluate(AXE);
    const results = await page.evaluate(() =>
      (window as unknown as { axe: { run: (ctx: Document) => Promise<AxeResults> } }).axe.run(
        document,
      ),
    );
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  };
  const rowDesired = () => page.getByTestId('row-desired').first().innerText();
  /** Headings that skip a level on the way down ("h2→h4"), in document order. */
  const headingSkips = () =>
    page.evaluate(() => {
      const skips: string[] = [];
      let previous = 0;
      for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
        const level = Number(h.tagName.slice(1));
        if (level > previous + 1) skips.push(`h${previous}→h${level} ${h.textContent ?? ''}`);
        previous = level;
      }
      return skips;
    });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    captcha = await startFakeCaptcha({ provider: 'recaptcha', secret: CAPTCHA_SECRET });
    t = await startTestApp('sqlite', { env: { RECAPTCHA_VERIFY_URL: captcha.url } });
    t.clock.set(NOW);
    globex = await t.tenant(TENANT, { timezone: 'America/New_York' });
    // Three queues in two zones: support has a lunch break and closed weekends, london and
    // night run 24/7.
    await admin('POST', '/queues', {
      name: 'support',
      businessHours: {
        weekly: Object.fromEntries(
          WEEKDAYS.map((d) => [
            d,
            [
              ['09:00', '12:00'],
              ['13:00', '17:00'],
            ],
          ]),
        ),
      },
      slotDurationMinutes: 60,
      slotCapacity: 3,
    });
    await admin('POST', '/queues', { name: 'london', timezone: 'Europe/London' });
    await admin('POST', '/queues', { name: 'night', slotDurationMinutes: 15 });
    const london = await admin('POST', '/callbacks', {
      serviceName: 'london',
      phoneNumber: '+442079460000',
      desiredTime: LONDON_TEN,
    });
    londonId = london.body.data.id;
    // The busiest queue: london has one booking, night three waiting.
    for (const n of ['0101', '0102', '0103']) {
      await admin('POST', '/callbacks', { serviceName: 'night', phoneNumber: `+1212555${n}` });
    }
    await admin('POST', '/callbacks', {
      serviceName: 'support',
      phoneNumber: '+12125550110',
      desiredTime: '2026-11-25T19:00:00.000Z',
      userData: { orderId: 'A-1001', topic: 'billing' },
    });
    await admin('PUT', '/call-in/groups/helpdesk', {
      name: 'helpdesk',
      numbers: ['+18005550100'],
      accessCodeEnabled: true,
      accessCodeLength: 4,
      expirySeconds: 600,
    });
    await engagement('/call-in/requests/create', { groupName: 'helpdesk' });
    await admin('PUT', '/credentials/captcha', {
      provider: 'recaptcha',
      siteKey: 'site-key',
      secret: 'not-a-real-secret',
    });
    for (const phone of ['12', '34']) {
      await engagement('/callbacks/create', { serviceName: 'support', phoneNumber: phone });
    }
    // Open only on Saturdays: closed now, for what "As soon as possible" says then.
    await admin('POST', '/queues', {
      name: 'weekend',
      businessHours: { weekly: { sat: [['09:00', '17:00']] } },
      slotDurationMinutes: 60,
    });
    // Last week's history in london, more than a page: the oldest tried most often, so only a
    // sort of the whole result (not of the newest page) puts it first.
    const now = t.clock.now();
    await seedCallbacks(
      t.services.store,
      Array.from({ length: HISTORY }, (_, index) => ({
        ...waitingCallback({
          tenantId: globex.id,
          serviceName: 'london',
          index: 9000 + index,
          now: now - 6 * 86_400_000 + index * 3_600_000,
        }),
        state: 'COMPLETED' as const,
        reason: 'FAIL_CALL_TO_CUSTOMER',
        attempts: index === 0 ? 9 : 1 + (index % 3),
        completed_at: now - 6 * 86_400_000 + index * 3_600_000,
      })),
    );

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    // A browser in a third zone, so tenant, queue and browser zones all differ.
    const context = await browser.newContext({
      timezoneId: 'Asia/Tokyo',
      locale: 'en-US',
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    // Fail a step with its own message well before the test's timeout.
    page.setDefaultTimeout(10_000);
    await page.goto(base);
    await page.getByLabel('Tenant').fill(TENANT);
    await page.getByLabel('User name').fill('administrator');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await t?.dropDatabase();
    await captcha?.close();
  });

  it('fits every tab at 1440 and 390 px without sideways scrolling, with a title and heading order per tab', async () => {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const place of PLACES) {
        await go(place.url);
        expect(await page.title(), place.url).toBe(place.title);
        expect(await overflow(), `${place.url} at ${size.width} px`).toBeLessThanOrEqual(0);
        expect(await headingSkips(), place.url).toEqual([]);
        await page.screenshot({
          path: path.join(SHOTS, `${size.name}-${place.name}.png`),
          fullPage: true,
        });
      }
      // The callback detail (with its user data) and the week chart of the 24/7 queue.
      await go(`/callback?chart=night&days=7&callback=${londonId}`);
      expect(await overflow(), `detail at ${size.width} px`).toBeLessThanOrEqual(0);
      expect(await headingSkips(), 'callback detail').toEqual([]);
      await page.screenshot({
        path: path.join(SHOTS, `${size.name}-callback-detail.png`),
        fullPage: true,
      });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 120_000);

  it('shows callbacks, errors, call-in requests, keys and users as labelled cards on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    /** Each table of the page: the label of its first cell, and how far it scrolls sideways. */
    const tables = () =>
      page.locator('table.grid').evaluateAll((els) =>
        els.map((table) => {
          const cell = table.querySelector('tbody td[data-label]');
          const wrap = table.parentElement ?? table;
          return {
            name: table.getAttribute('aria-label'),
            label: cell ? getComputedStyle(cell, '::before').content : 'none',
            sideways: wrap.scrollWidth - wrap.clientWidth,
            header: table.querySelector('thead')?.getBoundingClientRect().height ?? 0,
          };
        }),
      );
    await go('/callback');
    expect(await tables()).toContainEqual(
      expect.objectContaining({ name: 'Callbacks', label: '"Phone"', sideways: 0 }),
    );
    const cell = page.getByTestId('row-desired').first();
    const label = await cell.evaluate((el) => getComputedStyle(el, '::before').content);
    expect(label).toBe('"Desired time"');
    await go('/developer/errors');
    // No sort to offer: the header row is for screen readers only; each card labels its values.
    expect(await tables()).toEqual([{ name: 'Errors', label: '"Time"', sideways: 0, header: 1 }]);
    await go('/callin');
    expect(await tables()).toEqual([
      { name: 'Call-in groups', label: '"Group"', sideways: 0, header: 1 },
      { name: 'Call-in requests', label: '"Created"', sideways: 0, header: 1 },
    ]);
    await go('/tools?queue=support');
    expect(await tables()).toEqual([
      { name: 'API keys', label: '"Name"', sideways: 0, header: 1 },
      { name: 'Users', label: '"User"', sideways: 0, header: 1 },
    ]);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('finds no serious or critical accessibility problem on any tab, at either size', async () => {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const place of PLACES) {
        await go(place.url);
        expect(await axe(), `${place.url} at ${size.width} px`).toEqual([]);
      }
      await go(`/callback?callback=${londonId}`);
      expect(await axe(), `callback detail at ${size.width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 120_000);

  it('draws a focus ring with at least 3:1 contrast against the page and the cards', async () => {
    await go('/callback');
    await page.keyboard.press('Tab');
    const colours = await page.evaluate(() => {
      const el = document.activeElement;
      if (!(el instanceof HTMLElement)) return undefined;
      return {
        ring: getComputedStyle(el).outlineColor,
        page: getComputedStyle(document.body).backgroundColor,
        root: getComputedStyle(document.documentElement).backgroundColor,
      };
    });
    expect(colours).toBeDefined();
    const ring = colours?.ring ?? '';
    expect(contrast(ring, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);
    expect(contrast(ring, colours?.root ?? '')).toBeGreaterThanOrEqual(3);
  });

  it('shows every time in the one zone chosen in the header', async () => {
    await go('/callback');
    const zone = page.getByTestId('zone');
    // Tenant zone by default: "10:00 GMT" tomorrow reads 05:00 in New York.
    expect(await zone.locator('option:checked').innerText()).toBe('Tenant (America/New_York)');
    // The live figures' time too (the browser itself is in Tokyo).
    expect(await page.getByRole('region', { name: 'Live queues' }).innerText()).toContain(
      'Updated 10:00',
    );
    await go('/callback?queue=london');
    expect(await rowDesired()).toContain('05:00');

    await zone.selectOption({ label: 'Queue london (Europe/London)' });
    await expect.poll(rowDesired).toContain('Thu, Nov 26, 10:00');
    await page
      .getByRole('button', { name: /Open callback for/ })
      .first()
      .click();
    const detail = page.getByRole('complementary', { name: 'Callback detail' });
    await expect.poll(() => detail.getByTestId('detail-desired').innerText()).toContain('10:00');
    // Created "now": 15:00 in London, in the list, the detail and the history alike.
    expect(await detail.innerText()).toContain('Wed, Nov 25, 15:00');

    // The zone is named once, in the header; nothing else says "times in …".
    for (const place of PLACES) {
      await go(place.url);
      const text = await page.locator('main').innerText();
      expect(text, place.url).not.toMatch(/times in/i);
      expect(text, place.url).not.toMatch(/\b(EST|EDT|GMT|JST)\b/);
    }

    await go('/callin');
    expect(await page.getByTestId('callin-created').first().innerText()).toBe('Wed, Nov 25, 15:00');
    await go('/tools');
    await page.getByRole('button', { name: 'Refetch now' }).click();
    await expect
      .poll(() => page.getByTestId('last-refreshed').innerText())
      .toBe('Wed, Nov 25, 15:00');
    await go('/developer/credentials');
    await page.getByRole('tab', { name: 'CAPTCHA' }).click();
    expect(await page.getByRole('form', { name: 'CAPTCHA' }).innerText()).toContain(
      'updated Wed, Nov 25, 15:00',
    );

    // The browser's zone (Tokyo, 00:00 next day) on the switch; the choice survives a reload.
    await page.getByTestId('zone').selectOption({ label: 'This browser (Asia/Tokyo)' });
    await go('/callin');
    expect(await page.getByTestId('callin-created').first().innerText()).toBe('Thu, Nov 26, 00:00');
    await page.getByTestId('zone').selectOption({ label: 'Tenant (America/New_York)' });
  });

  it('uses 24-hour inputs everywhere', async () => {
    for (const url of ['/tools', '/callback?range=custom', '/developer/errors']) {
      await go(url);
      expect(await page.locator('input[type="time"], input[type="datetime-local"]').count()).toBe(
        0,
      );
    }
    await go('/tools?queue=support');
    expect(await page.getByLabel('Monday interval 2 opens').inputValue()).toBe('13:00');
  });

  it('restores the view from a deep link after a reload', async () => {
    await go(`/callback?range=upcoming&by=desired&callback=${londonId}`);
    await page.reload();
    await page.getByTestId('who').waitFor();
    await settled();
    const filters = page.getByRole('form', { name: 'Callback filters' });
    expect(await filters.getByLabel('Range').locator('option:checked').innerText()).toBe(
      'Upcoming',
    );
    const detail = page.getByRole('complementary', { name: 'Callback detail' });
    expect(await detail.innerText()).toContain('+44 20 7946 0000');
    expect(await page.title()).toMatch(/^Callback .+ · Callback · OpenCallback$/);

    await go('/tools?queue=night');
    await page.reload();
    await page.getByTestId('who').waitFor();
    const queuePick = page.getByRole('combobox', { name: 'Queue', exact: true });
    expect(await queuePick.locator('option:checked').innerText()).toBe('night');
    expect(await page.title()).toBe('night · Tools · OpenCallback');

    // An error of the Developer log by its own link: the detail opens again after a reload.
    const refused = await engagement('/callbacks/create', { serviceName: 'support' });
    const corrId = refused.body.status.corrId;
    const logged = await t.call<{ items: { id: string; corrId: string }[] }>({
      method: 'GET',
      url: `/admin/v1/errors?corrId=${corrId}`,
      headers: { cookie: globex.cookies.Administrator },
    });
    const errorId = logged.body.data.items[0]?.id ?? '';
    await go(`/developer/errors?error=${encodeURIComponent(errorId)}`);
    await page.reload();
    await page.getByTestId('who').waitFor();
    await expect.poll(() => page.locator('main').innerText()).toContain(corrId);
    expect(await page.getByTestId('error-request').innerText()).toContain('support');

    // Tabs change the address, and Back returns to the previous tab.
    await go('/callback');
    await page.getByRole('tab', { name: 'Call-In' }).click();
    expect(new URL(page.url()).pathname).toBe('/callin');
    await page.goBack();
    await page.getByRole('heading', { name: 'Callbacks' }).waitFor();
  });

  it('looks forward, counts attempts and sorts by a column', async () => {
    await go('/callback');
    await page.getByRole('combobox', { name: /^Range/ }).selectOption({ label: 'Upcoming' });
    // A forward range searches by desired time by itself.
    expect(await page.getByRole('combobox', { name: /^By/ }).inputValue()).toBe('desired');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await settled();
    expect(new URL(page.url()).searchParams.get('range')).toBe('upcoming');
    // Immediate callbacks are due now; the scheduled ones show what lies ahead.
    await go('/callback?range=upcoming&by=desired&states=SCHEDULED');
    const table = page.getByRole('table', { name: 'Callbacks' });
    expect(await table.getByRole('columnheader').allInnerTexts()).toContain('Attempts');
    await table.getByRole('button', { name: 'Desired time' }).click();
    const times = await table.getByTestId('row-desired').allInnerTexts();
    expect(times.length).toBeGreaterThanOrEqual(2);
    // Today's 14:00 in New York comes before tomorrow's 05:00.
    expect(times[0]).toContain('Nov 25');
    expect(times.at(-1)).toContain('Nov 26');
    expect(
      await table.getByRole('columnheader', { name: /Desired time/ }).getAttribute('aria-sort'),
    ).toBe('ascending');
    // A relative time helps read what is ahead.
    expect(times[0]).toContain('in 4 h');

    // The server sorts the whole result: last week's most tried callback is its oldest, on no
    // first page of newest ones, yet first when sorted by attempts.
    await go('/callback?range=7d&queue=london');
    const attempts = () => table.locator('td[data-label="Attempts"]').allInnerTexts();
    expect(await attempts()).not.toContain('9');
    const searched = page.waitForRequest((r) => r.url().includes('sort=-attempts'));
    const header = table.getByRole('button', { name: 'Attempts' });
    await header.click();
    await header.click();
    await searched;
    await settled();
    expect((await attempts())[0]).toBe('9');
    expect(
      await table.getByRole('columnheader', { name: /Attempts/ }).getAttribute('aria-sort'),
    ).toBe('descending');
    // The next page continues the same order; a reload keeps the sort from the address.
    await page.getByRole('button', { name: 'Next page' }).click();
    await settled();
    const second = (await attempts()).map(Number);
    expect(second.length).toBeGreaterThan(0);
    expect(Math.max(...second)).toBeLessThanOrEqual(1 + 2);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('-attempts');
    await page.reload();
    await page.getByTestId('who').waitFor();
    await settled();
    expect((await attempts())[0]).toBe('9');
    expect(
      await table.getByRole('columnheader', { name: /Attempts/ }).getAttribute('aria-sort'),
    ).toBe('descending');
  });

  it('finds a request sent with a mistyped key, marked with the key prefix; keyless ones stay out', async () => {
    const { engagement: key } = globex.keys;
    const mistyped = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    for (const header of [{ 'x-api-key': mistyped }, {}]) {
      await t.call({
        method: 'POST',
        url: '/engagement/v3/callbacks/create',
        headers: header,
        payload: { serviceName: 'support', phoneNumber: '+12125550177' },
      });
    }
    await go('/developer/errors');
    const table = page.getByRole('table', { name: 'Errors' });
    const refused = table.getByTestId('key-refused');
    // The list loads after the tab opens: wait for it rather than count what is there yet.
    await expect.poll(() => refused.count()).toBe(1);
    // The prefix is `ocb_` and six characters, which may include an underscore themselves.
    expect(await refused.innerText()).toBe(`key ${key.slice(0, 10)}… not valid`);
    expect(await table.getByRole('row').nth(1).innerText()).toContain('401');
  });

  it('says what "As soon as possible" does while the chosen queue is closed', async () => {
    await go('/callback');
    await page.getByRole('button', { name: 'New callback' }).click();
    const form = page.getByRole('form', { name: 'Create a callback' });
    await form.getByLabel('Queue').selectOption('weekend');
    const note = form.getByTestId('closed-queue-note');
    // Wednesday 10:00 in New York; weekend opens Saturday 09:00–17:00 (display zone: tenant).
    await expect
      .poll(() => note.innerText())
      .toContain('The queue is closed now; it opens next on Sat, Nov 28, 09:00.');
    const text = await note.innerText();
    expect(text).toContain('booked anyway and queued at once');
    expect(text).toContain('when that business day closes (17:00)');
    // An open queue says nothing more.
    await form.getByLabel('Queue').selectOption('support');
    await expect.poll(() => note.count()).toBe(0);
    await form.getByRole('button', { name: 'Close' }).click();
  });

  it('draws the slot chart on a time axis, with closed hours and days as gaps', async () => {
    await go('/callback');
    const chart = page.getByTestId('slot-chart');
    // The busiest queue first: night has three waiting.
    expect(
      await page
        .getByRole('region', { name: 'Booked vs capacity' })
        .getByLabel('Queue')
        .inputValue(),
    ).toBe('night');
    await go('/callback?chart=support&days=7');
    const days = chart.getByRole('img');
    const labels = await days.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    // Wednesday from 10:00 (now) with the lunch break, Saturday closed.
    expect(labels[0]).toBe('Wed, Nov 25: 1 of 18 booked; open 10:00–12:00, 13:00–17:00');
    expect(labels[1]).toContain('open 09:00–12:00, 13:00–17:00');
    expect(labels).toContain('Sat, Nov 28: closed');
    expect(await chart.locator('.axis').first().innerText()).toMatch(
      /00:00[\s\S]*12:00[\s\S]*24:00/,
    );
  });

  it('says what a failed save gets wrong at the field, in plain words', async () => {
    await go('/tools?queue=support');
    const zoneBox = page.getByRole('combobox', { name: 'Time zone' });
    await zoneBox.fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => zoneBox.getAttribute('aria-invalid')).toBe('true');
    const described = await zoneBox.getAttribute('aria-describedby');
    const message = await page.locator(`[id="${described ?? ''}"]`).innerText();
    expect(message).toContain('not a time zone name we know');
    await zoneBox.fill('America/New_York');

    // A refusal of the server lands on its field too, without a code.
    const duration = page.getByLabel('Slot duration (minutes)');
    await duration.fill('3');
    await duration.evaluate((el) => el.removeAttribute('min'));
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => duration.getAttribute('aria-invalid')).toBe('true');
    const notices = await page.locator('.savebar').innerText();
    expect(notices).toContain('Not saved');
    expect(notices).not.toMatch(/\d{5}/);
  });

  it('asks before dropping unsaved edits, with focus on keeping them', async () => {
    // The page still holds the unsaved slot duration of the last test.
    const queuePick = page.getByRole('combobox', { name: 'Queue', exact: true });
    await queuePick.selectOption('night');
    const keep = page.getByRole('button', { name: 'Keep editing' });
    await keep.waitFor();
    expect(await keep.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await queuePick.inputValue()).toBe('support');
    expect(await page.getByLabel('Slot duration (minutes)').inputValue()).toBe('3');

    await page.getByRole('tab', { name: 'Callback' }).click();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { name: 'Callbacks' }).waitFor();
  });

  it('confirms destructive actions with the effect stated and focus on the safe choice', async () => {
    await go('/tools?queue=night');
    await page.getByRole('button', { name: 'Delete night' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Delete night' });
    expect(await ask.innerText()).toContain('New bookings for night will then be refused');
    const safe = ask.getByRole('button', { name: 'No, keep it' });
    expect(await safe.evaluate((el) => el === document.activeElement)).toBe(true);
    // A stray Enter keeps the queue.
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Delete night' }).waitFor();
    const queues = await t.services.queues.list(TENANT);
    expect(queues.map((q) => q.name)).toContain('night');

    await go('/callback?queue=night');
    await page
      .getByRole('checkbox', { name: 'Select every waiting callback on this page' })
      .check();
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    const bulk = page.getByRole('alertdialog', { name: 'Cancel selected' });
    expect(await bulk.innerText()).toContain('Cancel 3 waiting callbacks?');
    expect(
      await bulk
        .getByRole('button', { name: 'No, keep it' })
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Cancel selected' }).waitFor();
  });

  it('shows a loading state instead of an empty panel, and a caption in step with the rows', async () => {
    await go('/callback');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/admin/v1/callbacks?*', async (route) => {
      await gate;
      await route.continue();
    });
    await page.getByRole('combobox', { name: /^Range/ }).selectOption({ label: 'Last 7 days' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const caption = page.getByTestId('range-caption');
    await expect.poll(() => caption.innerText()).toBe('Loading…');
    expect(await page.locator('[aria-busy="true"]').count()).toBe(1);
    release();
    await expect.poll(() => caption.innerText()).toContain('Last 7 days by created time');
    await page.unroute('**/admin/v1/callbacks?*');

    await page.route('**/admin/v1/call-in/groups', async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await page.getByRole('tab', { name: 'Call-In' }).click();
    await page.getByTestId('loading').first().waitFor();
    await settled();
    await page.unroute('**/admin/v1/call-in/groups');
  });

  it('tests a credential as typed before saving it, without saving it', async () => {
    await go('/developer/credentials');
    await page.getByRole('tab', { name: 'CAPTCHA' }).click();
    const form = page.getByRole('form', { name: 'CAPTCHA' });
    const before = await form.locator('p.muted').first().innerText();
    // Nothing typed: no draft to try, only the stored credential (whose secret is wrong).
    expect(await form.getByRole('button', { name: 'Test before saving' }).count()).toBe(0);
    await form.getByLabel('Secret key').fill(CAPTCHA_SECRET);
    await form.getByRole('button', { name: 'Test before saving' }).click();
    await expect
      .poll(() => form.getByRole('status').allInnerTexts())
      .toContainEqual(expect.stringContaining('Test passed'));
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    await expect
      .poll(() => form.getByRole('alert').allInnerTexts())
      .toContainEqual(expect.stringContaining('Test failed'));
    expect(await form.locator('p.muted').first().innerText()).toBe(before);
  });

  it('explains a callback in everyday words and reschedules near its booked time', async () => {
    await go('/callback?queue=support');
    await page.getByRole('button', { name: 'Open callback for +1 212 555 0110' }).click();
    const detail = page.getByRole('complementary', { name: 'Callback detail' });
    await detail.getByTestId('detail-state').waitFor();
    // userData as labelled values, not JSON; the history in words.
    const text = await detail.innerText();
    expect(text).toMatch(/orderId\s+A-1001/);
    expect(text).not.toContain('{"');
    expect(await detail.locator('.history li').first().innerText()).toMatch(/^Booked · /);
    await detail.getByRole('button', { name: 'Reschedule' }).click();
    // Booked for 14:00: the picker starts there, not at the first free slot of the day (10:00).
    const slot = detail.getByLabel('Free slot');
    await expect.poll(() => slot.locator('option:checked').innerText()).toBe('14:00');

    // No configuration source: Refetch does not promise a 30-minute cycle.
    await go('/tools?queue=support');
    expect(await page.getByTestId('refresh-cycle').innerText()).toContain(
      'nothing refreshes by itself',
    );
  });
});
