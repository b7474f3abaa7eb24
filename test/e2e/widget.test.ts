import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEngines } from '../helpers/engines.js';
import { startFakeCaptcha, type FakeCaptcha } from '../fakes/fake-captcha.js';
import { fakeCaptchaScript } from '../fakes/fake-captcha-widget.js';
import { EngagementClient } from '@opencallback/client/engagement';
import { CALLBACK_STATES } from '../../src/domain/callback-state.js';

const SHOTS = path.join(SCREENSHOTS, 'widget');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TENANT = 'acme';
// 2026-11-25 is a Wednesday; 15:00Z is 10:00 in New York (the queue) and 16:00 in Berlin (the
// visitor), so every slot shows six hours later than the office's own clock says.
const NOW = '2026-11-25T15:00:00.000Z';
const CAPTCHA_SECRET = 'recaptcha-secret-widget-0123456789';
const CAPTCHA_SITE_KEY = 'widget-site-key';
const BUDGET = 40 * 1024;

/** A shop's page on another origin embedding the widget with one script tag. */
function shopPage(base: string, key: string, q: URLSearchParams): string {
  const captcha = q.has('captcha') ? ` captcha-script="/fake-captcha.js"` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme shop</title>
<style>
button { background: rgb(255, 0, 0); } p { font-size: 40px; }
opencallback-booking { --oc-accent: rgb(0, 90, 50); --oc-on-accent: rgb(255, 255, 255); }
</style>
<script src="${base}/widget/v1/opencallback.js" defer></script>
</head>
<body>
<main>
<h1>Acme shop</h1>
<opencallback-booking api-key="${key}" service="support" lang="${q.get('lang') ?? 'en'}" theme="${q.get('theme') ?? 'light'}"${captcha}></opencallback-booking>
</main>
</body>
</html>`;
}

describe.skipIf(CHROMIUM === undefined)('the booking widget in Chromium', () => {
  describeEngines('booking widget', (engine) => {
    let t: TestApp & { dropDatabase(): Promise<void> };
    let acme: TestTenant;
    let captcha: FakeCaptcha;
    let shop: http.Server;
    let base: string;
    let shopOrigin: string;
    let browser: Browser;
    let desktop: BrowserContext;
    let phone: BrowserContext;

    const admin = async (method: 'GET' | 'PUT', url: string, payload?: object) =>
      t.call({
        method,
        url: `/admin/v1${url}`,
        headers: { cookie: acme.cookies.Administrator },
        ...(payload === undefined ? {} : { payload }),
      });
    const callback = async (id: string) => {
      const res = await admin('GET', `/callbacks/${id}`);
      expect(res.res.statusCode, res.res.body).toBe(200);
      return res.body.data;
    };
    const open = async (context: BrowserContext, query = '') => {
      const page = await context.newPage();
      await page.goto(`${shopOrigin}/${query}`);
      return page;
    };
    const axeViolations = async (page: Page) => {
      await page.addScriptTag({ path: AXE });
      return page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(el: Element): Promise<AxeResult> } }).axe;
        const el = document.querySelector('opencallback-booking');
        if (el === null) throw new Error('no widget on the page');
        const result = await axe.run(el);
        return result.violations.map(
          (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
        );
      });
    };
    const shot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SHOTS, `widget-${name}-${engine}.png`), fullPage: true });

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      captcha = await startFakeCaptcha({ provider: 'recaptcha', secret: CAPTCHA_SECRET });
      t = await startTestApp(engine, { env: { RECAPTCHA_VERIFY_URL: captcha.url } });
      t.clock.set(NOW);
      acme = await t.tenant(TENANT, { timezone: 'America/New_York' });
      await t.services.queues.create(
        { tenantId: TENANT, name: 'test' },
        {
          name: 'support',
          timezone: 'America/New_York',
          businessHours: {
            weekly: Object.fromEntries(
              ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]),
            ),
          },
          slotDurationMinutes: 60,
          slotCapacity: 1,
          numberRule: { defaultCountry: 'US', permittedCountries: ['US'], blocked: [] },
        },
      );
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

      shop = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://shop');
        if (url.pathname === '/fake-captcha.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' });
          res.end(fakeCaptchaScript('grecaptcha', 'widget-token-'));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(shopPage(base, acme.keys.browser, url.searchParams));
      });
      await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
      shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
      await t.services.tenants.addOrigin({ tenantId: TENANT, name: 'test' }, shopOrigin, 'test');

      browser = await launchChromium();
      desktop = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: 'en-US',
        timezoneId: 'Europe/Berlin',
      });
      phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        locale: 'de-DE',
        timezoneId: 'Europe/Berlin',
      });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => shop?.close(resolve));
      await t?.close();
      await t?.dropDatabase();
      await captcha?.close();
    });

    it('serves one script within its size budget, cached long with an ETag', async () => {
      const res = await fetch(`${base}/widget/v1/opencallback.js`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(res.headers.get('cache-control')).toBe('public, max-age=604800');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      const body = Buffer.from(await res.arrayBuffer());
      expect(zlib.gzipSync(body, { level: 9 }).length).toBeLessThan(BUDGET);

      const again = await fetch(`${base}/widget/v1/opencallback.js`, {
        headers: { 'if-none-match': etag ?? '' },
      });
      expect(again.status).toBe(304);

      const demo = await fetch(`${base}/widget/demo?api-key=k%22x&service=support`);
      const html = await demo.text();
      expect(html).toContain('<opencallback-booking api-key="k&#34;x" service="support"');
      expect(html).toContain('<script src="/widget/v1/opencallback.js" defer></script>');
      // The demo page may load the CAPTCHA providers' scripts, nothing else from outside.
      expect(demo.headers.get('content-security-policy')).toContain(
        "script-src 'self' https://www.google.com",
      );
    });

    it('books an immediate callback from another origin, and cancels it from its link', async () => {
      const page = await open(desktop);
      await page.getByText(/current wait/i).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.getByRole('radio', { name: 'Call me now' }).isChecked()).toBe(true);
      // The page's own CSS (red buttons) stops at the shadow root; its --oc-* theme gets in.
      const submit = page.getByRole('button', { name: 'Request callback' });
      expect(await submit.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
        'rgb(0, 90, 50)',
      );

      await page.getByLabel('Phone number').fill('212 555 0100');
      await page.getByText('We will call +1 2125550100').waitFor();
      await submit.click();
      const heading = page.getByRole('heading', { name: 'Your callback is booked' });
      await heading.waitFor();
      // Keyboard and screen-reader users land on the confirmation.
      expect(
        await page.evaluate(
          () => document.querySelector('opencallback-booking')?.shadowRoot?.activeElement?.id,
        ),
      ).toBe('oc-done');
      expect(await page.getByTestId('oc-when').innerText()).toBe(
        'We will call +1 2125550100 as soon as someone is free.',
      );
      const id = await page.locator('.code').innerText();
      expect(await callback(id)).toMatchObject({
        phoneNumber: '+12125550100',
        state: 'QUEUED',
        immediate: true,
      });
      await shot(page, 'booked-now');

      const link = await page
        .getByRole('link', { name: 'Link to manage or cancel this callback' })
        .getAttribute('href');
      expect(link).toBe(`${shopOrigin}/#opencallback-cancel=${id}`);
      const later = await desktop.newPage();
      await later.goto(link ?? '');
      await later.getByText('Waiting for the next free person').waitFor();
      await later.getByRole('button', { name: 'Cancel this callback' }).click();
      await later.getByText('Your callback is cancelled.').waitFor();
      expect(await callback(id)).toMatchObject({ state: 'COMPLETED', reason: 'CANCELLED' });
      await page.close();
      await later.close();
    });

    it('books with the keyboard alone', async () => {
      const page = await open(desktop);
      await page.getByText(/current wait/i).waitFor();
      const focused = () =>
        page.evaluate(() => {
          const active = document.querySelector('opencallback-booking')?.shadowRoot?.activeElement;
          return active?.id || active?.textContent || active?.getAttribute('name') || '';
        });
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('oc-mode');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('oc-country');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('oc-phone');
      await page.keyboard.type('212 555 0105');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('Request callback');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Your callback is booked' }).waitFor();
      expect(await focused()).toBe('oc-done');
      expect(await callback(await page.locator('.code').innerText())).toMatchObject({
        phoneNumber: '+12125550105',
        immediate: true,
      });
      await page.close();
    });

    it("books a scheduled callback in the visitor's time zone, then shows that slot as full", async () => {
      const page = await open(desktop);
      await page.getByRole('radio', { name: 'Pick a time' }).check();
      await page
        .getByText(
          'Times are shown in your time zone (Europe/Berlin). Our team works in America/New York time.',
        )
        .waitFor();
      // 11:00 in New York is 17:00 in Berlin.
      await page.getByRole('radio', { name: '05:00 PM', exact: true }).check();
      await page.getByLabel('Phone number').fill('(212) 555-0101');
      await page.getByRole('button', { name: 'Request callback' }).click();
      await page.getByRole('heading', { name: 'Your callback is booked' }).waitFor();
      const when = await page.getByTestId('oc-when').innerText();
      expect(when).toContain('Wednesday, November 25');
      expect(when).toContain('05:00 PM');
      const id = await page.locator('.code').innerText();
      const booked = await callback(id);
      expect(booked).toMatchObject({ state: 'SCHEDULED', immediate: false });
      expect(Date.parse(String(booked.desiredTime))).toBe(Date.parse('2026-11-25T16:00:00Z'));
      await page.close();

      // The slot held one callback: the next visitor sees it taken and cannot pick it.
      const next = await open(desktop);
      await next.getByRole('radio', { name: 'Pick a time' }).check();
      const full = next.getByRole('radio', { name: '05:00 PM (full)' });
      await full.waitFor();
      expect(await full.isDisabled()).toBe(true);
      expect(await next.getByRole('radio', { name: '06:00 PM', exact: true }).isEnabled()).toBe(
        true,
      );
      expect(await axeViolations(next)).toEqual([]);
      await shot(next, 'slots-desktop');
      await next.close();
    });

    it('tells the visitor when someone else took the slot meanwhile, and shows it full', async () => {
      const page = await open(desktop);
      await page.getByRole('radio', { name: 'Pick a time' }).check();
      // 12:00 in New York.
      await page.getByRole('radio', { name: '06:00 PM', exact: true }).check();
      await page.getByLabel('Phone number').fill('212 555 0103');
      const other = await t.call({
        method: 'POST',
        url: '/engagement/v3/callbacks/create',
        headers: { 'x-api-key': acme.keys.engagement },
        payload: {
          serviceName: 'support',
          phoneNumber: '+1 212 555 0199',
          desiredTime: '2026-11-25T17:00:00Z',
        },
      });
      expect(other.res.statusCode, other.res.body).toBe(200);
      await page.getByRole('button', { name: 'Request callback' }).click();
      await expect
        .poll(() => page.getByRole('alert').innerText())
        .toMatch(/^This time has just been taken\. Please pick another one\./);
      expect(await page.getByRole('radio', { name: '06:00 PM (full)' }).isDisabled()).toBe(true);
      const booked = await t.services.store.callbacks.find(TENANT, { limit: 50 });
      expect(booked.map((c) => c.phone_number)).not.toContain('+12125550103');
      await page.close();
    });

    it("tells a phone visitor in German that the queue refuses the visitor's number", async () => {
      // Dark theme too: axe checks its contrast below.
      const page = await open(phone, '?lang=de&theme=dark');
      await page.getByRole('radio', { name: 'Jetzt zurückrufen' }).waitFor();
      await page.getByLabel('Land').selectOption('DE');
      const number = page.getByLabel('Telefonnummer');
      // Checked as typed: an unfinished number is pointed out, a complete one read back.
      await number.fill('030 12');
      await number.blur();
      await page.getByText('Das ist noch keine vollständige Telefonnummer.').waitFor();
      expect(await number.getAttribute('aria-invalid')).toBe('true');
      await number.fill('030 1234567');
      await page.getByText('Wir rufen +49 301234567 an').waitFor();
      await page.getByRole('button', { name: 'Rückruf anfordern' }).click();
      // The queue takes US numbers only: the service's 40004 in the visitor's language.
      const alert = page.getByRole('alert');
      await expect
        .poll(() => alert.innerText())
        .toMatch(/^Diese Nummer können wir nicht anrufen\. Bitte geben Sie eine andere ein\./);
      const box = await page.locator('opencallback-booking').boundingBox();
      expect(box?.width ?? Infinity).toBeLessThanOrEqual(390);
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'refused-de-phone');
      await page.close();
    });

    it("shows the tenant's CAPTCHA and books once it is solved", async () => {
      const before = await t.call({
        url: '/engagement/v3/captcha/config',
        headers: { 'x-api-key': acme.keys.engagement },
      });
      expect(before.body.data).toEqual({ required: false });
      await admin('PUT', '/credentials/captcha', {
        provider: 'recaptcha',
        siteKey: CAPTCHA_SITE_KEY,
        secret: CAPTCHA_SECRET,
      });
      const on = await admin('PUT', '/captcha-settings', { captchaRequired: true });
      expect(on.res.statusCode, on.res.body).toBe(200);
      const after = await t.call({
        url: '/engagement/v3/captcha/config',
        headers: { 'x-api-key': acme.keys.engagement },
      });
      expect(after.body.data).toEqual({
        required: true,
        provider: 'recaptcha',
        siteKey: CAPTCHA_SITE_KEY,
      });
      captcha.addToken('widget-token-1');

      const page = await open(desktop, '?captcha=1');
      const robot = page.getByRole('button', { name: "I'm not a robot" });
      await robot.waitFor();
      expect(await robot.getAttribute('data-sitekey')).toBe(CAPTCHA_SITE_KEY);
      await page.getByLabel('Phone number').fill('212 555 0102');
      await page.getByRole('button', { name: 'Request callback' }).click();
      await expect
        .poll(() => page.getByRole('alert').innerText())
        .toBe('Please complete the robot check first.');
      expect(await axeViolations(page)).toEqual([]);

      await robot.click();
      await page.getByRole('button', { name: 'Request callback' }).click();
      await page.getByRole('heading', { name: 'Your callback is booked' }).waitFor();
      expect(captcha.requests.map((r) => r.body)).toContainEqual(
        expect.stringContaining('response=widget-token-1'),
      );
      expect(await callback(await page.locator('.code').innerText())).toMatchObject({
        phoneNumber: '+12125550102',
      });
      await admin('PUT', '/captcha-settings', { captchaRequired: false });
      await page.close();
    });

    it('books from the demo page the service serves itself', async () => {
      const page = await desktop.newPage();
      await page.goto(`${base}/widget/demo`);
      await page.getByLabel('API key').fill(acme.keys.browser);
      await page.getByLabel('Queue (service name)').fill('support');
      await page.getByRole('button', { name: 'Show the widget' }).click();
      await page.getByLabel('Phone number').fill('212 555 0104');
      await page.getByRole('button', { name: 'Request callback' }).click();
      await page.getByRole('heading', { name: 'Your callback is booked' }).waitFor();
      expect(await callback(await page.locator('.code').innerText())).toMatchObject({
        phoneNumber: '+12125550104',
      });
      await page.close();
    });

    it("shows the widget's bookings through the typed client", async () => {
      const client = new EngagementClient({ baseUrl: base, apiKey: acme.keys.engagement });
      const { callbacks } = await client.query({
        serviceName: 'support',
        states: [...CALLBACK_STATES],
      });
      expect(callbacks.map((c) => c.phoneNumber)).toEqual(
        expect.arrayContaining(['+12125550101', '+12125550102']),
      );
    });

    it("lists the widget's bookings in the console", async () => {
      const page = await desktop.newPage();
      await page.goto(base);
      await page.getByLabel('Tenant').fill(TENANT);
      await page.getByLabel('User name').fill('supervisor');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The console shows numbers in international format (+1 212-555-0101).
      await page
        .getByText(/^\+1 212.555.0101$/)
        .first()
        .waitFor();
      await page
        .getByText(/^\+1 212.555.0102$/)
        .first()
        .waitFor();
      await page.close();
    });
  });
});

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: unknown }[] }[];
}
