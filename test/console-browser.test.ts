// The plugin console as a person uses it, in a real headless Chromium, against a real node:http server on SQLite.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { describeInBrowser, launchChromium, pageErrors, screenshot } from './support/browser.js';
import { pluginOptions, runWithContext } from '../src/index.js';
import { Invoice, MAILER_SECRET, startConsoleApp, type ConsoleApp } from './support/console-sample-app.js';

describeInBrowser('plugin console in Chromium', () => {
  let app: ConsoleApp;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let errors: string[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsoleApp(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    expect(errors).toEqual([]);
  });

  /** A fresh browser profile, signed in through the host app's login form, on the console's plugin view. */
  async function signIn(user: 'alice' | 'victor'): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    errors = pageErrors(page);
    await page.goto(`${app.origin}/login`);
    await page.getByLabel('User').selectOption(user);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(app.consoleUrl);
    await page.locator('body[data-ready="plugins"]').waitFor();
    return page;
  }

  async function open(page: Page, view: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: view }).click();
    await page.locator(`body[data-ready="${view.toLowerCase()}"]`).waitFor();
  }

  const mailerCard = (page: Page) => page.locator('article[data-plugin="mailer"]');
  const invoiceAfterCreate = (page: Page) => page.locator('section.chain[data-entity="Invoice"][data-event="afterCreate"]');

  test('a visitor is refused until signed in; an admin sees every plugin, a read-only user no change control', async () => {
    context = await browser.newContext();
    context.setDefaultTimeout(5000);
    const anonymous = await context.newPage();
    errors = pageErrors(anonymous);
    const refused = await anonymous.goto(app.consoleUrl);
    expect(refused?.status()).toBe(401);
    expect(await anonymous.locator('#session').count()).toBe(0);
    await context.close();

    const page = await signIn('alice');
    await expect.poll(() => page.locator('#session').textContent()).toContain('alice');
    // Keyboard: the first Tab reaches the skip link, which leads to the main landmark.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    expect(await page.getByRole('main').count()).toBe(1);
    for (const name of ['mailer', 'softDelete', 'audit', 'cache', 'timestamp']) {
      expect(await page.locator(`article[data-plugin="${name}"]`).count(), name).toBe(1);
    }
    await mailerCard(page).getByRole('button', { name: 'Health' }).click();
    await expect.poll(() => mailerCard(page).locator('.result').textContent()).toContain('Health: ok');
    await mailerCard(page).getByText('Options (edit)').click();
    expect(await page.content()).not.toContain(MAILER_SECRET);
    await screenshot(page, 'plugins');
    await open(page, 'Cache');
    const customers = page.locator('tbody tr', { hasText: 'Customer' });
    expect(Number(await customers.locator('td').nth(1).textContent())).toBeGreaterThan(0);
    await screenshot(page, 'cache');
    await context!.close();

    const reader = await signIn('victor');
    await expect.poll(() => reader.locator('#session').textContent()).toContain('read-only');
    expect(await reader.getByRole('button', { name: 'Apply status' }).count()).toBe(0);
    expect(await reader.getByRole('button', { name: 'Save options' }).count()).toBe(0);
    // Per entity, the read role sees a table and no form.
    await reader.locator('article[data-plugin="timestamp"]').getByText('Per entity (2)').click();
    expect(await reader.getByRole('button', { name: /^Apply to/ }).count()).toBe(0);
    expect(await reader.getByRole('region', { name: 'timestamp on each entity' }).locator('tbody tr').count()).toBe(2);
    // A check changes nothing: the read role may run it.
    await mailerCard(reader).getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => mailerCard(reader).locator('.result').textContent()).toContain('Test connection: ok');
    await open(reader, 'Trash');
    expect(await reader.getByRole('button', { name: /^Restore/ }).count()).toBe(0);
    expect(await reader.locator('tbody tr').count()).toBeGreaterThan(0);
  });

  test('disabling a plugin takes its hook out of the chain, and enabling puts it back', async () => {
    const page = await signIn('alice');
    await open(page, 'Chains');
    await page.getByLabel('Entity', { exact: true }).selectOption('Invoice');
    await expect.poll(() => invoiceAfterCreate(page).locator('li[data-plugin="mailer"]').count()).toBe(1);
    await screenshot(page, 'chains');

    await open(page, 'Plugins');
    // By keyboard: choose, then Enter on the button; focus comes back to it when the card is redrawn.
    await mailerCard(page).getByLabel('Status', { exact: true }).selectOption('disabled');
    await mailerCard(page).getByRole('button', { name: 'Apply status' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toContain('mailer is now disabled');
    // The page says so before it has redrawn the card: wait for the redraw, never a fixed time.
    await expect.poll(() => mailerCard(page).locator('.badge.status-disabled').count()).toBe(1);
    await expect.poll(() => page.locator(':focus').textContent()).toBe('Apply status');

    await open(page, 'Chains');
    await page.getByLabel('Entity', { exact: true }).selectOption('Invoice');
    await page.locator('section.chain[data-entity="Invoice"]').first().waitFor();
    expect(await page.locator('li[data-plugin="mailer"]').count()).toBe(0);

    await open(page, 'Plugins');
    await mailerCard(page).getByLabel('Status', { exact: true }).selectOption('active');
    await mailerCard(page).getByRole('button', { name: 'Apply status' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('mailer is now active');
    await open(page, 'Chains');
    await page.getByLabel('Entity', { exact: true }).selectOption('Invoice');
    await expect.poll(() => invoiceAfterCreate(page).locator('li[data-plugin="mailer"]').count()).toBe(1);
  });

  test('per entity, by keyboard: disabling a plugin on one entity leaves its other entity\'s chain alone; a priority on one entity', async () => {
    const page = await signIn('alice');
    const timestamp = page.locator('article[data-plugin="timestamp"]');
    const chainOf = (entity: string) => page.locator(`section.chain[data-entity="${entity}"][data-event="beforeCreate"]`).locator('li[data-plugin="timestamp"]');
    // Per entity: a labelled form for each of the plugin's entities.
    await timestamp.getByText('Per entity (2)').click();
    const onCustomer = timestamp.getByRole('form', { name: 'timestamp on Customer' });
    await onCustomer.getByLabel('Status on Customer', { exact: true }).focus();
    await page.keyboard.press('End');
    expect(await onCustomer.getByLabel('Status on Customer', { exact: true }).inputValue()).toBe('disabled');
    await onCustomer.getByRole('button', { name: 'Apply to Customer' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toContain('timestamp is now disabled on Customer');
    // Redrawn with the per-entity part still open and focus back on the button that made the change.
    await expect.poll(() => page.locator(':focus').getAttribute('type')).toBe('submit');
    expect(await page.locator(':focus').textContent()).toBe('Apply to Customer');
    expect(await timestamp.getByLabel('Status on Customer', { exact: true }).inputValue()).toBe('disabled');
    expect(await timestamp.locator('.badge.status-active').count()).toBe(1);

    const onInvoice = timestamp.getByRole('form', { name: 'timestamp on Invoice' });
    await onInvoice.getByLabel('Priority on Invoice', { exact: true }).fill('7');
    await onInvoice.getByLabel('Priority on Invoice', { exact: true }).press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toContain('timestamp priority on Invoice is now 7');

    await open(page, 'Chains');
    await page.getByLabel('Entity', { exact: true }).selectOption('');
    await expect.poll(() => chainOf('Invoice').count()).toBe(1);
    expect(await chainOf('Invoice').locator('.meta').first().textContent()).toBe('priority 7');
    expect(await chainOf('Customer').count()).toBe(0);

    // Back as it was, for the other stories.
    await open(page, 'Plugins');
    await timestamp.getByText('Per entity (2)').click();
    await timestamp.getByLabel('Status on Customer', { exact: true }).selectOption('active');
    await timestamp.getByRole('form', { name: 'timestamp on Customer' }).getByRole('button', { name: 'Apply to Customer' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('timestamp is now active on Customer');
    await timestamp.getByLabel('Priority on Invoice', { exact: true }).fill('');
    await timestamp.getByRole('form', { name: 'timestamp on Invoice' }).getByRole('button', { name: 'Apply to Invoice' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('timestamp priority on Invoice is now the default');
  });

  test('an option out of range is refused with the error next to its field; a good one is saved, the secret kept', async () => {
    const page = await signIn('alice');
    const card = mailerCard(page);
    await card.getByText('Options (edit)').click();
    const port = card.getByLabel('port', { exact: true });
    await port.fill('70000');
    await card.getByRole('button', { name: 'Save options' }).click();
    const portError = card.locator('.field[data-path="port"] .field-error');
    await portError.waitFor();
    expect((await portError.textContent())?.length).toBeGreaterThan(0);
    expect(await port.getAttribute('aria-invalid')).toBe('true');
    expect(await card.locator('.field[data-path="host"] .field-error').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#status').textContent()).toContain('not saved');
    await screenshot(page, 'options-error');

    await port.fill('2525');
    await card.getByRole('button', { name: 'Save options' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('mailer options applied');
    // A live option: the running plugin has it now, not only the stored state.
    expect(pluginOptions(app.orm.em.fork(), Invoice, 'mailer')?.port).toBe(2525);
    await page.reload();
    await page.locator('body[data-ready="plugins"]').waitFor();
    await mailerCard(page).getByText('Options (edit)').click();
    expect(await mailerCard(page).getByLabel('port', { exact: true }).inputValue()).toBe('2525');
    expect(await mailerCard(page).getByLabel(/^apiKey/).inputValue()).toBe('');
    expect(await page.content()).not.toContain(MAILER_SECRET);
  });

  test('finds who changed a row, reads its state as of a past change, restores the deleted row, then its state as of that change', async () => {
    const page = await signIn('alice');
    await open(page, 'Audit');
    const history = page.getByRole('form', { name: 'Filter the audit history' });
    await history.getByLabel('Entity', { exact: true }).selectOption('Invoice');
    await history.getByLabel('Row id', { exact: true }).fill(String(app.changedId));
    await history.getByRole('button', { name: 'Search' }).click();
    const bobsChange = page.locator('tbody tr', { hasText: 'bob' });
    await bobsChange.waitFor();
    expect(await bobsChange.locator('ins').allTextContents()).toContain('250');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    // The same filtered history as a CSV file.
    const [csv] = await Promise.all([page.waitForEvent('download'), history.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines.some(line => line.includes(',bob,'))).toBe(true);

    // As of alice's creation, before bob's change.
    const created = page.locator('tbody tr', { hasText: 'alice' });
    await created.getByRole('button', { name: /as of this change/ }).click();
    const amount = page.locator('.state-fields dt', { hasText: /^amount$/ }).locator('xpath=following-sibling::dd[1]');
    await expect.poll(() => amount.textContent()).toBe('100');
    await screenshot(page, 'audit');

    await page.getByRole('button', { name: `Restore Invoice ${app.changedId}` }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('restored');
    const row = await app.orm.em.fork().findOne(Invoice, app.changedId);
    expect([row?.number, row?.amount]).toEqual(['INV-1', 250]);

    // Back in the trash no more, it goes back to its state as of alice's creation: bob's change undone, through the ORM.
    await page.getByRole('button', { name: 'Restore this state' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('restored to its state as of');
    expect((await app.orm.em.fork().findOne(Invoice, app.changedId))?.amount).toBe(100);
    // The history, read again, shows the revert as alice's change of amount from 250 to 100.
    const revert = page.locator('tbody tr', { hasText: 'alice' }).filter({ has: page.locator('del', { hasText: /^250$/ }) });
    await expect.poll(() => revert.count()).toBe(1);
    expect(await revert.locator('ins').allTextContents()).toContain('100');
  });

  test('restores a deletion batch, and deletes a row for good only once its name is typed', async () => {
    const page = await signIn('alice');
    await open(page, 'Trash');
    const batch = page.locator('tbody tr', { hasText: 'dave' }).filter({ has: page.getByRole('button', { name: /^Restore batch/ }) });
    await batch.waitFor();
    await screenshot(page, 'trash');
    await batch.getByRole('button', { name: /^Restore batch/ }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/restored: 2 rows/);
    const live = await app.orm.em.fork().find(Invoice, { customer: 'acme' }, { orderBy: { number: 'asc' } });
    expect(live.map(invoice => invoice.number)).toEqual(['INV-2', 'INV-3']);
    // The status line comes before the trash is read again and redrawn.
    await expect.poll(() => page.locator('tbody tr', { hasText: 'dave' }).count()).toBe(0);

    await runWithContext({ actor: 'erin' }, () => app.orm.em.fork().nativeDelete(Invoice, { number: 'INV-4' }));
    await page.getByRole('button', { name: 'Show trash' }).click();
    const row = page.locator('tbody tr', { hasText: 'erin' }).filter({ has: page.getByRole('button', { name: /permanently…$/ }) });
    await row.getByRole('button', { name: /permanently…$/ }).click();
    const confirm = page.getByRole('form', { name: /Confirm permanent delete/ });
    const name = (await confirm.locator('code').textContent())!;
    const destroy = confirm.getByRole('button', { name: 'Delete permanently' });
    expect(await destroy.isDisabled()).toBe(true);
    await confirm.getByRole('textbox').fill(`${name} `);
    expect(await destroy.isDisabled()).toBe(true);
    await confirm.getByRole('textbox').fill(name);
    await destroy.click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('deleted permanently');
    const left = await app.orm.em.getConnection().execute(`select count(*) as n from invoice where number = 'INV-4'`);
    expect(Number(left[0].n)).toBe(0);
  });
});
