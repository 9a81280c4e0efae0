// Issue #17: option edits reach the running plugins. Options a plugin declares `live` change what its hooks
// do on this instance at once and on another instance once the change reaches it; any other option is refused.
import { MikroORM } from '@mikro-orm/core';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { auditLog } from '../src/audit.js';
import { pluginOptions, pluginSystem } from '../src/index.js';
import { pluginOperations, pluginStateEntities, refreshPluginState, setPluginOptions, syncPluginState } from '../src/operations/index.js';
import { auditRows } from './support/audit-support.js';
import { client, ConCustomer, ConInvoice, ConRate, PROBE_SECRET, PROBE_URL_SECRET, registry, seed, serveWithPrefix, snapshot, type Served } from './support/console-app.js';
import { describeEachDatabase, sameDatabase, type TestOrm } from './support/databases.js';
import { eventually, removeTempDirs, sharedConnection } from './support/propagation-app.js';

vi.setConfig({ testTimeout: 60_000 });

const entities = [ConCustomer, ConInvoice, ConRate];
// Polling as the fallback everywhere; PostgreSQL also notifies.
const extensions = (onError?: (error: unknown) => void) => [pluginSystem({ registry }), pluginOperations({ state: { pollInterval: 50 }, ...(onError && { onError }) }), auditLog()];

/** Another process of the same app: its own runtime and plugin instances, on the first one's database. */
async function secondInstance(first: TestOrm, onError?: (error: unknown) => void): Promise<TestOrm> {
  return (await MikroORM.init({ ...sameDatabase(first), entities, extensions: extensions(onError) })) as TestOrm;
}

const auditOf = (orm: TestOrm) => pluginOptions(orm.em.fork(), ConInvoice, 'audit')!;

/** The amount change an update of invoice `id` recorded. */
async function recordedAmount(orm: TestOrm, id: number): Promise<unknown> {
  const rows = (await auditRows(orm)).filter(r => r.entityName === 'ConInvoice' && r.entityId === String(id) && r.operation === 'update');
  return rows.at(-1)?.changes.amount;
}

async function setAmount(orm: TestOrm, id: number, amount: number): Promise<void> {
  const em = orm.em.fork();
  (await em.findOneOrFail(ConInvoice, id)).amount = amount;
  await em.flush();
}

describeEachDatabase('live option edits', db => {
  let a: TestOrm;
  let b: TestOrm;
  let server: Served;
  let api: ReturnType<typeof client>['call'];
  beforeEach(async () => {
    a = await db.init({ ...sharedConnection(db), entities, extensions: extensions() });
    await syncPluginState(a);
    await seed(a);
    b = await secondInstance(a);
    server = await serveWithPrefix(a);
    api = client(server.base, '/admin/plugins').call;
  });
  afterEach(async () => {
    await server.close();
    await b.close(true);
    await a.close(true);
    removeTempDirs();
  });

  test('an edit through the console changes what the hooks do here at once, and on the other instance once it hears of it', async () => {
    await setAmount(a, 1, 110);
    expect(await recordedAmount(a, 1)).toEqual([100, 110]);
    const edit = await api('POST', '/api/plugins/audit/options', { body: { entity: 'ConInvoice', options: { redact: ['amount'] } } });
    expect(edit.status).toBe(200);
    expect(edit.json.plugin.liveOptions).toEqual(['include', 'exclude', 'redact', 'ignoreNoopUpdates']);
    // This instance: from its next write, before the call returned.
    expect(auditOf(a).redact).toEqual(['amount']);
    await setAmount(a, 1, 120);
    expect(await recordedAmount(a, 1)).toEqual(['[redacted]', '[redacted]']);
    // The other instance: once the notification (or its poll) brought the change; its code still says no redaction.
    expect(await eventually(() => auditOf(b).redact?.includes('amount') === true)).toBe(true);
    await setAmount(b, 2, 220);
    expect(await recordedAmount(b, 2)).toEqual(['[redacted]', '[redacted]']);
    // Other entities keep theirs.
    expect(pluginOptions(b.em.fork(), ConCustomer, 'audit')!.redact).toEqual([]);

    const ttl = await api('POST', '/api/plugins/cache/options', { body: { entity: 'ConRate', options: { ttl: 5 } } });
    expect(ttl.status).toBe(200);
    expect(pluginOptions(a.em.fork(), ConRate, 'cache')!.ttl).toBe(5);
    expect(await eventually(() => pluginOptions(b.em.fork(), ConRate, 'cache')!.ttl === 5)).toBe(true);
    // Reads by primary key still go through the cache, filled with the edited lifetime.
    const em = a.em.fork();
    expect((await em.findOneOrFail(ConRate, { code: 'EUR' })).rate).toBe(100);
    expect((await a.em.fork().findOneOrFail(ConRate, { code: 'EUR' })).rate).toBe(100);

    // Back to the code's options: `sync --mode update` undoes the edits everywhere.
    await syncPluginState(a, { mode: 'update' });
    expect(auditOf(a).redact).toEqual([]);
    expect(await eventually(() => auditOf(b).redact?.length === 0)).toBe(true);
    await setAmount(b, 2, 230);
    expect(await recordedAmount(b, 2)).toEqual([220, 230]);
  });

  test('an option the plugin does not declare live is refused with a typed error naming it; bad values are refused; nothing changes', async () => {
    const was = await snapshot(a);
    const cases: [string, unknown, number, string, string][] = [
      ['/api/plugins/cache/options', { entity: 'ConRate', options: { prefix: 'rates' } }, 409, 'MOP_CONSOLE_NOT_LIVE', 'options.prefix'],
      ['/api/plugins/conProbe/options', { options: { endpoint: 'https://elsewhere.example.test' } }, 409, 'MOP_CONSOLE_NOT_LIVE', 'options.endpoint'],
      ['/api/plugins/softDelete/options', { entity: 'ConInvoice', options: { deletedBy: 'removedBy' } }, 409, 'MOP_CONSOLE_NOT_LIVE', 'options.deletedBy'],
      ['/api/plugins/cache/options', { entity: 'ConRate', options: { ttl: -1 } }, 422, 'MOP_CONSOLE_INVALID', 'options.ttl'],
      // A misspelt property in `redact` would leak what it meant to hide: checked against the entity.
      ['/api/plugins/audit/options', { entity: 'ConInvoice', options: { redact: ['amuont'] } }, 422, 'MOP_CONSOLE_INVALID', 'options.redact'],
      ['/api/plugins/audit/options', { entity: 'ConInvoice', options: { ignoreNoopUpdates: 'yes' } }, 422, 'MOP_CONSOLE_INVALID', 'options.ignoreNoopUpdates'],
    ];
    for (const [path, body, status, code, field] of cases) {
      const { json, status: got } = await api('POST', path, { body });
      expect([path, got, json.error.code, json.error.field], JSON.stringify(body)).toEqual([path, status, code, field]);
    }
    const refused = await api('POST', '/api/plugins/cache/options', { body: { entity: 'ConRate', options: { prefix: 'rates', ttl: 9 } } });
    expect(refused.json.error.issues).toEqual([{ path: 'prefix', message: expect.stringContaining('cannot change while the application runs') }]);
    const misspelt = await api('POST', '/api/plugins/audit/options', { body: { entity: 'ConInvoice', options: { redact: ['amuont'] } } });
    expect(misspelt.json.error.issues[0].message).toContain("'amuont'");
    await expect(setPluginOptions(a, 'cache', 'ConRate', { store: 'redis://127.0.0.1:1' })).rejects.toMatchObject({ code: 'MOP_OPTION_NOT_LIVE', plugin: 'cache', entity: 'ConRate', option: 'store' });
    expect(await snapshot(a)).toBe(was);
    // Sending the value it runs with is no change, live or not: the page's form sends every field.
    expect((await api('POST', '/api/plugins/cache/options', { body: { entity: 'ConRate', options: { ttl: 3600, store: 'memory' } } })).status).toBe(200);
    expect(pluginOptions(a.em.fork(), ConRate, 'cache')).toMatchObject({ ttl: 3600, store: 'memory' });
    expect(auditOf(a).redact).toEqual([]);
  });

  test('a live edit keeps the secrets the code gave, answers without them, and a restarted instance runs it', async () => {
    const edit = await api('POST', '/api/plugins/conProbe/options', { body: { entity: 'ConCustomer', options: { limit: 7, apiKey: '***' } } });
    expect(edit.status).toBe(200);
    for (const secret of [PROBE_SECRET, PROBE_URL_SECRET]) expect(edit.text).not.toContain(secret);
    expect((await api('GET', '/api/plugins')).text).not.toContain(PROBE_SECRET);
    const running = pluginOptions(a.em.fork(), ConCustomer, 'conProbe')!;
    expect(running).toMatchObject({ limit: 7, label: 'customer', apiKey: PROBE_SECRET });
    expect(running.endpoint).toContain(PROBE_URL_SECRET);
    expect(pluginOptions(a.em.fork(), ConInvoice, 'conProbe')!.limit).toBe(10);
    const restarted = await secondInstance(a);
    try {
      expect(pluginOptions(restarted.em.fork(), ConCustomer, 'conProbe')).toMatchObject({ limit: 7, apiKey: PROBE_SECRET });
    } finally {
      await restarted.close(true);
    }
  });

  test('a stored live value the plugin refuses (written past the checks) leaves the code\'s options running, and is reported', async () => {
    const errors: unknown[] = [];
    const other = await secondInstance(a, error => errors.push(error));
    try {
      const write = async (options: Record<string, unknown>) => {
        const em = a.em.fork();
        const { PluginState } = pluginStateEntities(a);
        em.assign(await em.findOneOrFail(PluginState, { plugin: 'cache', entity: 'ConRate' }), { options, updatedAt: new Date() });
        await em.flush();
        await refreshPluginState(other, { force: true });
      };
      await write({ ttl: -5, store: 'memory' });
      expect(pluginOptions(other.em.fork(), ConRate, 'cache')!.ttl).toBe(3600);
      expect(errors).toEqual([expect.objectContaining({ code: 'MOP_INVALID_OPTIONS', plugin: 'cache', entity: 'ConRate', option: 'ttl' })]);
      await write({ ttl: 7, store: 'memory' });
      expect(pluginOptions(other.em.fork(), ConRate, 'cache')!.ttl).toBe(7);
      expect(errors).toHaveLength(1);
    } finally {
      await other.close(true);
    }
  });
});
