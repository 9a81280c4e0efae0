// An automated accessibility audit of every view of the console, in light and dark mode: axe-core, run in the
// real Chromium on the page as served (its content security policy untouched), must find no violation.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeInBrowser, launchChromium, pageErrors } from './support/browser.js';
import { startConsoleApp, type ConsoleApp } from './support/console-sample-app.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** axe's violations on the page as it is now, each as `rule (impact): help — the elements`. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays as it is served.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    // Runs in the page: its globals, typed here as far as this uses them.
    const { axe, document } = globalThis as unknown as { axe: { run: (context: unknown, options: object) => Promise<{ violations: Violation[] }> }; document: unknown };
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations;
  });
  return found.map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`.trim()).join(' | ')}`);
}

describeInBrowser('plugin console accessibility (axe-core)', () => {
  let app: ConsoleApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsoleApp(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const user of ['alice', 'victor'] as const) {
      test(`every view, ${colorScheme} mode, as ${user === 'alice' ? 'an admin' : 'a read-only user'}: no violation`, async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC', colorScheme });
        context.setDefaultTimeout(5000);
        try {
          const page = await context.newPage();
          const errors = pageErrors(page);
          await page.goto(`${app.origin}/login`);
          await page.getByLabel('User').selectOption(user);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.waitForURL(app.consoleUrl);
          await page.locator('body[data-ready="plugins"]').waitFor();
          const found: Record<string, string[]> = {};
          // Everything a card can unfold, unfolded: options forms and per-entity controls are audited too.
          for (const summary of await page.locator('article summary').all()) await summary.click();
          found.plugins = await violations(page);
          for (const view of ['Chains', 'Audit', 'Trash', 'Cache']) {
            await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: view }).click();
            await page.locator(`body[data-ready="${view.toLowerCase()}"]`).waitFor();
            found[view.toLowerCase()] = await violations(page);
            // The states a person reaches from here: a row's past state; the confirmation of a permanent delete.
            if (view === 'Audit') {
              await page.getByRole('button', { name: /as of this change/ }).first().click();
              await page.locator('.state-fields').waitFor();
              found['audit, a past state'] = await violations(page);
            }
            if (view === 'Trash' && user === 'alice') {
              await page.getByRole('button', { name: /permanently…$/ }).first().click();
              await page.getByRole('form', { name: /Confirm permanent delete/ }).waitFor();
              found['trash, confirming a delete'] = await violations(page);
            }
          }
          if (user === 'alice') {
            // An option refused, its error next to the field.
            await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Plugins' }).click();
            await page.locator('body[data-ready="plugins"]').waitFor();
            const mailer = page.locator('article[data-plugin="mailer"]');
            await mailer.getByText('Options (edit)').click();
            await mailer.getByLabel('port', { exact: true }).fill('70000');
            await mailer.getByRole('button', { name: 'Save options' }).click();
            await mailer.locator('.field[data-path="port"] .field-error').waitFor();
            found['plugins, an option refused'] = await violations(page);
          }
          const clean = Object.fromEntries(Object.keys(found).map(key => [key, []]));
          expect(Object.keys(found)).toHaveLength(user === 'alice' ? 8 : 6);
          expect(found).toEqual(clean);
          expect(errors).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }
});
