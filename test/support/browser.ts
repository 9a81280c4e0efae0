// A real headless Chromium (Debian's `chromium` package) driven by playwright-core; no browser download.
// Without a binary the browser suites skip and say why, except under CI (REQUIRE_DATABASES=1), where they fail.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

// CHROMIUM_PATH, when set, is the only binary tried.
const CANDIDATES = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const chromiumPath = CANDIDATES.find(path => existsSync(path));

const required = process.env.REQUIRE_DATABASES === '1';
if (chromiumPath === undefined && required) {
  throw new Error('Chromium is required (REQUIRE_DATABASES=1) but not found: apt-get install chromium, or set CHROMIUM_PATH');
}
const unavailable = chromiumPath === undefined ? 'no chromium binary (apt-get install chromium, or set CHROMIUM_PATH)' : undefined;

/** A browser suite, skipped with the reason when there is no Chromium. */
export function describeInBrowser(title: string, suite: () => void): void {
  if (unavailable) {
    console.warn(`[mikro-orm-plugins tests] skipping "${title}": ${unavailable}`);
    describe.skip(`${title} (skipped: ${unavailable})`, suite);
  } else {
    describe(title, suite);
  }
}

export function launchChromium(): Promise<Browser> {
  // Root (CI, containers) needs --no-sandbox.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** Page errors and console errors (a CSP refusal is one): a story passes only with none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(`pageerror: ${error.message}`));
  page.on('console', message => {
    if (message.type() !== 'error') return;
    // A refused request (401, 422) is logged by Chromium as a console error; the stories expect those.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** CONSOLE_SCREENSHOTS=<dir> (npm run screenshots) keeps light and dark screenshots of the page as it is. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(dir, `console-${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
