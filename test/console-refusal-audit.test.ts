// Requests without a grant are audited, but anonymous traffic must not grow the audit table without bound:
// past `auditRefusals.perWindow` a window's refusals become one summary row with their count.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { auditEvents } from '../src/audit.js';
import { ConsoleError, pluginConsole } from '../src/console.js';
import { client, serveWithPrefix, startOrm, type Served } from './support/console-app.js';
import { describeEachDatabase, sqlite, type TestOrm } from './support/databases.js';

vi.setConfig({ testTimeout: 60_000 });

test('auditRefusals of the wrong shape is refused when the console is built', async () => {
  const orm = await startOrm(sqlite);
  try {
    for (const auditRefusals of [{ perWindow: -1 }, { perWindow: 1.5 }, { windowMs: 0 }, { every: 3 }, 'many', []]) {
      let thrown: unknown;
      try {
        pluginConsole(orm, { unsafeAllowAll: true, onError: () => {}, auditRefusals: auditRefusals as never });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(auditRefusals)).toBeInstanceOf(ConsoleError);
      expect((thrown as ConsoleError).field).toBe('auditRefusals');
    }
  } finally {
    await orm.close(true);
  }
});

describeEachDatabase('plugin console: audit of refused requests is bounded', db => {
  let orm: TestOrm;
  let server: Served | undefined;
  beforeEach(async () => {
    orm = await startOrm(db);
  });
  afterEach(async () => {
    await server?.close();
    await orm.close(true);
  });
  const consoleEvents = () => auditEvents(orm.em.fork(), { subject: 'PluginConsole' });

  test('the first perWindow anonymous refusals get a row each, the rest none; a known actor\'s refusals are always recorded', async () => {
    // A window far longer than the test: everything below falls into one.
    server = await serveWithPrefix(orm, { auditRefusals: { perWindow: 3, windowMs: 3_600_000 } });
    const api = client(server.base, '/admin/plugins');
    for (let i = 0; i < 10; i++) expect((await api.call('GET', `/api/plugins?n=${i}`, { as: '' })).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await api.call('POST', '/api/cache/clear', { as: 'reader', body: { entity: 'ConRate' } })).status).toBe(403);
    const events = await consoleEvents();
    expect(events.filter(e => e.actor === null).map(e => [e.action, e.details.code])).toEqual(Array(3).fill(['refused', 'MOP_CONSOLE_UNAUTHORIZED']));
    expect(events.filter(e => e.actor === 'rita').map(e => e.details.code)).toEqual(Array(5).fill('MOP_CONSOLE_FORBIDDEN'));
  });

  test('refusals past the budget are counted into one summary row per window, written when the window ends', async () => {
    // No individual rows at all: every anonymous refusal is counted, whichever windows they fall in.
    server = await serveWithPrefix(orm, { auditRefusals: { perWindow: 0, windowMs: 250 } });
    const api = client(server.base, '/admin/plugins');
    for (let i = 0; i < 7; i++) expect((await api.call('GET', '/api/session', { as: '' })).status).toBe(401);
    let summaries: Awaited<ReturnType<typeof consoleEvents>> = [];
    for (let tries = 0; tries < 200; tries++) {
      summaries = await consoleEvents();
      if (summaries.reduce((sum, e) => sum + Number(e.details.count), 0) >= 7) break;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    expect(summaries.every(e => e.action === 'refused-summary' && e.actor === null && e.subjectId === 'unauthorized requests')).toBe(true);
    expect(summaries.reduce((sum, e) => sum + Number(e.details.count), 0)).toBe(7);
    for (const summary of summaries) expect(Date.parse(String(summary.details.to)) - Date.parse(String(summary.details.from))).toBe(250);
  });
});
