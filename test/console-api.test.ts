// Issue #17: the console's JSON API, on a real node:http server, on each database: mounting, plugins, chains, audit, trash, cache.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { auditEvents } from '../src/audit.js';
import { cacheMetrics } from '../src/cache.js';
import { pluginConsole } from '../src/console.js';
import { explainChains, readPluginState } from '../src/operations/index.js';
import { auditRows } from './support/audit-support.js';
import { authorizeByToken, client, ConInvoice, ConRate, PROBE_SECRET, PROBE_URL_SECRET, seed, serveStripped, serveWithPrefix, snapshot, startOrm, type Served } from './support/console-app.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

vi.setConfig({ testTimeout: 60_000 });

describeEachDatabase('plugin console API', db => {
  let orm: TestOrm;
  let server: Served;
  let api: ReturnType<typeof client>['call'];
  beforeEach(async () => {
    orm = await startOrm(db);
    await seed(orm);
    server = await serveWithPrefix(orm);
    api = client(server.base, '/admin/plugins').call;
  });
  afterEach(async () => {
    await server.close();
    await orm.close(true);
  });

  test('mounts under a prefix: redirect to the page, the API inside, the rest of the app outside; security headers on every response', async () => {
    const bare = await fetch(`${server.base}/admin/plugins`, { redirect: 'manual', headers: { authorization: 'Bearer admin' } });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/admin/plugins/']);
    const outside = await fetch(`${server.base}/admin/pluginsX/api/session`);
    expect(outside.status).toBe(418);
    const session = await api('GET', '/api/session');
    // Polling is off in this app: PostgreSQL still notifies (LISTEN/NOTIFY), the others have nothing.
    expect(session.json).toMatchObject({ actor: 'alice', role: 'admin', propagation: db.name === 'postgresql' ? 'postgres-notify' : 'none' });
    expect(session.json.csrfToken).toMatch(/^[\w-]{20,}$/);
    for (const response of [session, await api('GET', '/api/nothing-here'), await api('GET', '/')]) {
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(session.headers.get('cache-control')).toBe('no-store');
    expect((await api('GET', '/api/nothing-here')).json.error.code).toBe('MOP_CONSOLE_NOT_FOUND');
    expect((await api('POST', '/api/session')).json.error.code).toBe('MOP_CONSOLE_METHOD');
  });

  test('mounts the Express way (path stripped into req.url, originalUrl kept) and as a fetch handler', async () => {
    const stripped = await serveStripped(orm);
    try {
      const page = await fetch(`${stripped.base}/ops/console`, { redirect: 'manual', headers: { authorization: 'Bearer admin' } });
      expect([page.status, page.headers.get('location')]).toEqual([308, '/ops/console/']);
      const plugins = await client(stripped.base, '/ops/console').call('GET', '/api/plugins');
      expect(plugins.json.plugins.map((p: { name: string }) => p.name)).toContain('conProbe');
      expect((await fetch(`${stripped.base}/elsewhere`)).status).toBe(418);
    } finally {
      await stripped.close();
    }
    const web = pluginConsole(orm, { authorize: authorizeByToken, prefix: '/admin' });
    const response = await web.fetch(new Request('http://console.test/admin/api/session', { headers: { authorization: 'Bearer reader' } }));
    expect(await response.json()).toMatchObject({ actor: 'rita', role: 'read' });
    expect((await web.fetch(new Request('http://console.test/other'))).status).toBe(404);
  });

  test('lists plugins with masked options, secret names, schemas and dependencies; no secret anywhere', async () => {
    const { json, text } = await api('GET', '/api/plugins');
    const probe = json.plugins.find((p: { name: string }) => p.name === 'conProbe');
    expect(probe).toMatchObject({ version: '1.2.0', type: null, status: 'active', entities: ['ConCustomer', 'ConInvoice'], health: 'unknown', secretOptions: ['apiKey'] });
    expect(probe.options).toMatchObject({ label: 'customer', apiKey: '***', endpoint: 'https://svc:***@api.example.test/v1' });
    expect(probe.optionsSchema.properties.apiKey).toMatchObject({ writeOnly: true, format: 'password' });
    expect(json.plugins.find((p: { name: string }) => p.name === 'softDelete').entities).toEqual(['ConCustomer', 'ConInvoice']);
    expect(text).not.toContain(PROBE_SECRET);
    expect(text).not.toContain(PROBE_URL_SECRET);
  });

  test('status and priority persist in plugin_state (version bumped), change the chains, and are audited with the actor', async () => {
    const before = readPluginState(orm).length;
    const disabled = await api('POST', '/api/plugins/conProbe/status', { body: { status: 'disabled', entity: 'ConInvoice' } });
    expect(disabled.status).toBe(200);
    expect(disabled.json.plugin.name).toBe('conProbe');
    const row = (await orm.em.getConnection().execute(`select status from ${q(orm, 'plugin_state')} where ${q(orm, 'plugin')} = 'conProbe' and ${q(orm, 'entity')} = 'ConInvoice'`))[0];
    expect(row.status).toBe('disabled');
    expect(explainChains(orm, { entity: 'ConInvoice' }).flatMap(c => c.hooks.map(h => h.plugin))).not.toContain('conProbe');
    const chains = await api('GET', '/api/chains?entity=ConCustomer');
    expect(chains.json.chains.find((c: { event: string }) => c.event === 'beforeCreate').hooks.map((h: { plugin: string }) => h.plugin)).toContain('conProbe');

    const priority = await api('POST', '/api/plugins/conProbe/priority', { body: { priority: -5 } });
    expect(priority.json.plugin.priority).toBe(-5);
    const hook = (await api('GET', '/api/chains?entity=ConCustomer')).json.chains.find((c: { event: string }) => c.event === 'beforeCreate').hooks.find((h: { plugin: string }) => h.plugin === 'conProbe');
    expect(hook).toMatchObject({ priority: -5, source: 'stored', hook: 'stamp' });
    expect(readPluginState(orm).length).toBe(before);
    const events = await auditEvents(orm.em, { subject: 'PluginConsole' });
    expect(events.map(e => [e.action, e.actor, e.subjectId])).toEqual([['setPriority', 'alice', 'conProbe'], ['setStatus', 'alice', 'conProbe']]);
    expect(events[1]!.details).toMatchObject({ status: 'disabled', entity: 'ConInvoice', was: 'active' });
  });

  test('bad input per plugin endpoint: the right 4xx code and nothing changed', async () => {
    const was = await snapshot(orm);
    const cases: [string, unknown, number, string, string?][] = [
      ['/api/plugins/nope/status', { status: 'active' }, 404, 'MOP_CONSOLE_NOT_FOUND'],
      ['/api/plugins/conProbe/status', { status: 'on' }, 422, 'MOP_CONSOLE_INVALID', 'status'],
      ['/api/plugins/conProbe/status', { status: 'active', entity: 'Nope' }, 404, 'MOP_CONSOLE_NOT_FOUND'],
      ['/api/plugins/conProbe/status', { status: 'active', extra: 1 }, 422, 'MOP_CONSOLE_INVALID', 'extra'],
      ['/api/plugins/conProbe/status', [], 422, 'MOP_CONSOLE_INVALID', ''],
      ['/api/plugins/conProbe/priority', { priority: 2 ** 31 }, 422, 'MOP_CONSOLE_INVALID', 'priority'],
      ['/api/plugins/conProbe/priority', { priority: 1.5 }, 422, 'MOP_CONSOLE_INVALID', 'priority'],
      ['/api/plugins/conProbe/priority', { priority: '3' }, 422, 'MOP_CONSOLE_INVALID', 'priority'],
      ['/api/plugins/conProbe/priority', {}, 422, 'MOP_CONSOLE_INVALID', 'priority'],
      ['/api/plugins/conProbe/options', { options: { limit: 500 } }, 422, 'MOP_CONSOLE_INVALID', 'options.limit'],
      ['/api/plugins/conProbe/options', { options: { label: 'UPPER' } }, 422, 'MOP_CONSOLE_INVALID', 'options.label'],
      ['/api/plugins/conProbe/options', { options: { apiKey: 'a-new-key' } }, 422, 'MOP_CONSOLE_INVALID', 'options.apiKey'],
      ['/api/plugins/conProbe/options', { options: 'x' }, 422, 'MOP_CONSOLE_INVALID', 'options'],
    ];
    for (const [path, body, status, code, field] of cases) {
      const { json, status: got } = await api('POST', path, { body });
      expect([path, got, json.error.code], JSON.stringify(body)).toEqual([path, status, code]);
      if (field !== undefined) expect(json.error.field).toBe(field);
    }
    const invalid = await api('POST', '/api/plugins/conProbe/options', { body: { options: { limit: 0, label: '1' } } });
    expect(invalid.json.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['label', 'limit']);
    expect(await snapshot(orm)).toBe(was);
  });

  test('options edits: validated by the plugin schema, stored without secrets ("***" keeps the secret), for every instance', async () => {
    const { json, status } = await api('POST', '/api/plugins/conProbe/options', { body: { entity: 'ConCustomer', options: { limit: 42, apiKey: '***', endpoint: 'https://svc:***@api.example.test/v1' } } });
    expect(status).toBe(200);
    // Only the entity named; without one, an edit goes to every entity the plugin is on.
    expect(json.plugin.storedOptions.ConInvoice).toEqual({ label: 'invoice', limit: 10 });
    const both = await api('POST', '/api/plugins/conProbe/options', { body: { options: { label: 'both' } } });
    expect([both.json.plugin.storedOptions.ConInvoice.label, both.json.plugin.storedOptions.ConCustomer.label]).toEqual(['both', 'both']);
    expect(both.json.plugin.storedOptions.ConCustomer.limit).toBe(42);
    expect(json.plugin.storedOptions.ConCustomer).toEqual({ label: 'customer', limit: 42, endpoint: 'https://svc:***@api.example.test/v1' });
    const rows = JSON.stringify(await orm.em.getConnection().execute(`select * from ${q(orm, 'plugin_state')}`));
    expect(rows).not.toContain(PROBE_SECRET);
    expect(rows).not.toContain(PROBE_URL_SECRET);
    expect(rows).toMatch(/limit\\?": ?42/);
  });

  test('health and test-connection run the plugin\'s own checks; messages never hold a secret', async () => {
    const health = await api('POST', '/api/plugins/conProbe/health');
    expect(health.json).toMatchObject({ ok: true, message: 'fine' });
    expect((await api('GET', '/api/plugins')).json.plugins.find((p: { name: string }) => p.name === 'conProbe').health).toBe('ok');
    const test = await api('POST', '/api/plugins/conProbe/test-connection', { body: { entity: 'ConInvoice' } });
    expect(test.json).toMatchObject({ ok: false, entity: 'ConInvoice', message: 'refused with key ***' });
    expect((await api('POST', '/api/plugins/softDelete/health')).json.error.code).toBe('MOP_CONSOLE_CONFLICT');
  });

  test('chains and entities: hooks in run order with kind, priority and source; mermaid on request; unknown entity 404', async () => {
    const { json } = await api('GET', '/api/chains?entity=ConInvoice&format=mermaid');
    const del = json.chains.find((c: { event: string }) => c.event === 'beforeDelete');
    expect(del.hooks[0]).toMatchObject({ plugin: 'softDelete', kind: 'veto', source: 'code' });
    expect(json.mermaid).toContain('ConInvoice');
    expect((await api('GET', '/api/chains?entity=Nope')).json.error.code).toBe('MOP_CONSOLE_NOT_FOUND');
    const entities = (await api('GET', '/api/entities')).json.entities;
    expect(entities).toEqual([
      { name: 'ConCustomer', plugins: ['softDelete', 'audit', 'conProbe'], audited: true, softDelete: true, cached: false, primaryKeys: ['id'] },
      { name: 'ConInvoice', plugins: ['softDelete', 'audit', 'conProbe'], audited: true, softDelete: true, cached: false, primaryKeys: ['id'] },
      { name: 'ConRate', plugins: ['cache'], audited: false, softDelete: false, cached: true, primaryKeys: ['code'] },
    ]);
  });

  test('audit: history per row with diffs and actors, filters, CSV export, state at a past time', async () => {
    const em = orm.em.fork();
    const invoice = await em.findOneOrFail(ConInvoice, 1);
    invoice.amount = 150;
    await em.flush();
    const rows = await auditRows(orm);
    const created = rows.find(r => r.entityName === 'ConInvoice' && r.entityId === '1' && r.operation === 'create')!;
    invoice.amount = 175;
    await em.flush();
    const history = (await api('GET', '/api/audit?entity=ConInvoice&id=1')).json.records;
    expect(history.map((r: { operation: string }) => r.operation)).toEqual(['update', 'update', 'create']);
    expect(history[0].changes.amount).toEqual({ from: 150, to: 175 });
    const state = await api('GET', `/api/audit/state?entity=ConInvoice&id=1&at=${encodeURIComponent(created.recordedAt.toISOString())}`);
    expect(state.json.state).toMatchObject({ amount: 100, number: 'INV-1' });
    expect((await api('GET', '/api/audit?entity=ConInvoice&actor=nobody')).json.records).toEqual([]);
    const csv = await api('GET', '/api/audit?entity=ConInvoice&id=1&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('id,at,entity,entityId,operation,actor,changes');
    expect(csv.text.split('\r\n').length).toBe(5);
    for (const [query, field] of [['from=yesterday', 'from'], ['limit=0', 'limit'], ['format=xml', 'format'], ['limit=1&limit=2', 'limit']]) {
      const bad = await api('GET', `/api/audit?${query}`);
      expect([bad.status, bad.json.error.field]).toEqual([422, field]);
    }
    expect((await api('GET', '/api/audit/state?entity=ConInvoice&id=abc&at=2020-01-01T00:00:00Z')).json.error.field).toBe('id');
  });

  test('trash: batches and rows; restore a batch with its cascade and the actor; hard delete only with confirmation', async () => {
    const em = orm.em.fork();
    const { ConCustomer } = await import('./support/console-app.js');
    em.remove(await em.findOneOrFail(ConCustomer, 1, { populate: ['invoices'] }));
    await em.flush();
    const trash = (await api('GET', '/api/trash')).json;
    expect(trash.rows.map((r: { entity: string; id: string }) => `${r.entity}:${r.id}`).sort()).toEqual(['ConCustomer:1', 'ConInvoice:1', 'ConInvoice:2', 'ConInvoice:3']);
    expect(trash.batches).toHaveLength(1);
    expect(trash.batches[0]).toMatchObject({ count: 4, entities: expect.arrayContaining(['ConCustomer', 'ConInvoice']) });
    const was = await snapshot(orm);
    for (const [body, code] of [[{ entity: 'ConCustomer' }, 'MOP_CONSOLE_INVALID'], [{ entity: 'ConCustomer', batch: 'nope' }, 'MOP_CONSOLE_NOT_FOUND'], [{ entity: 'Nope', id: 1 }, 'MOP_CONSOLE_NOT_FOUND'], [{ entity: 'ConCustomer', id: 2 }, 'MOP_CONSOLE_NOT_FOUND']] as const) {
      expect((await api('POST', '/api/trash/restore', { body })).json.error.code).toBe(code);
    }
    expect((await api('POST', '/api/trash/hard-delete', { body: { entity: 'ConInvoice', id: '1', confirm: 'yes' } })).json.error.code).toBe('MOP_CONSOLE_CONFIRM_REQUIRED');
    expect(await snapshot(orm)).toBe(was);

    const restored = await api('POST', '/api/trash/restore', { body: { entity: 'ConCustomer', batch: trash.batches[0].batch } });
    expect(restored.json).toEqual({ restored: 1 });
    expect((await api('GET', '/api/trash')).json.rows).toEqual([]);
    const restores = (await auditRows(orm)).filter(r => r.operation === 'restore');
    expect(restores.map(r => [r.entityName, r.actor]).sort()).toEqual([['ConCustomer', 'alice'], ['ConInvoice', 'alice'], ['ConInvoice', 'alice'], ['ConInvoice', 'alice']]);

    const gone = await api('POST', '/api/trash/hard-delete', { body: { entity: 'ConInvoice', id: 4, confirm: 'ConInvoice:4' } });
    expect(gone.json).toEqual({ deleted: 1 });
    expect(await orm.em.fork().count(ConInvoice, { id: 4 }, { filters: false })).toBe(0);
  });

  test('cache: counters per entity; clearing one entity or one key', async () => {
    for (let i = 0; i < 2; i++) await orm.em.fork().findOne(ConRate, { code: 'EUR' });
    const listed = (await api('GET', '/api/cache')).json.entities;
    expect(listed).toEqual([expect.objectContaining({ entity: 'ConRate', hits: 1, misses: 1, store: 'memory' })]);
    expect((await api('POST', '/api/cache/clear', { body: { entity: 'ConRate', key: 'USD' } })).json).toEqual({ cleared: true });
    await orm.em.fork().findOne(ConRate, { code: 'EUR' });
    expect(cacheMetrics(orm, 'ConRate')).toMatchObject({ hits: 2, misses: 1 });
    expect((await api('POST', '/api/cache/clear', { body: { entity: 'ConRate', key: 'EUR' } })).json).toEqual({ cleared: true });
    await orm.em.fork().findOne(ConRate, { code: 'EUR' });
    expect(cacheMetrics(orm, 'ConRate')).toMatchObject({ hits: 2, misses: 2 });
    await orm.em.fork().findOne(ConRate, { code: 'EUR' });
    expect((await api('POST', '/api/cache/clear', { body: { entity: 'ConRate' } })).json).toEqual({ cleared: true });
    await orm.em.fork().findOne(ConRate, { code: 'EUR' });
    expect(cacheMetrics(orm, 'ConRate')).toMatchObject({ hits: 3, misses: 3 });
    expect((await api('POST', '/api/cache/clear', { body: { entity: 'ConCustomer' } })).json.error.code).toBe('MOP_CONSOLE_NOT_FOUND');
    expect((await api('POST', '/api/cache/clear', { body: { entity: 'ConRate', key: [] } })).json.error.field).toBe('key');
  });
});

const q = (orm: TestOrm, name: string) => orm.em.getPlatform().quoteIdentifier(name);
