/**
 * The browser of the end-to-end console tests: Debian's chromium at /usr/bin/chromium driven by
 * playwright-core, never a downloaded browser. Without it the tests fail saying what to install.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './test-hub.js';

export const CHROMIUM = process.env.HUB_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS_DIR = path.join(ROOT, 'test-output', 'screenshots');

/** Starts headless chromium (with --no-sandbox when running as root, where its sandbox cannot start). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the console's browser tests need Debian's chromium at ${CHROMIUM}: install it with "apt-get update && apt-get install -y chromium" (or set HUB_TEST_CHROMIUM to a chromium binary); playwright's downloaded browsers are not used`);
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: root ? ['--no-sandbox'] : [] });
}

/** Saves a full-page PNG as test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
