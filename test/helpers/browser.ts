import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, when `scripts/test.mjs` found one; browser suites skip without it. */
export const CHROMIUM = process.env.OC_TEST_CHROMIUM;

/** Where browser suites write their screenshots for a person to look at (git-ignored). */
export const SCREENSHOTS = path.resolve('test-artifacts', 'screenshots');

/**
 * Headless Chromium with the flags this machine needs: no sandbox as root, and no background
 * networking (its connections to the outside are refused here). Every launch gets a fresh
 * temporary profile of its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
