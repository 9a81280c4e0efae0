// Fuzz, part 2: the exported functions that work on an ORM, an EntityManager, an entity or its
// metadata, and start-up itself (plugin lists and options), on SQLite in memory. Each call succeeds
// or throws a `PluginError` with a declared code; a call that throws wrote nothing.
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { SqliteDriver } from '@mikro-orm/sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as audit from '../src/audit.js';
import * as cache from '../src/cache.js';
import * as consoleApi from '../src/console.js';
import * as core from '../src/index.js';
import * as operations from '../src/operations/index.js';
import * as testing from '../src/testing.js';
import { argument, fuzzEntry, newTally, reportTally, type EntryPoint, type Outcome } from './support/fuzz.js';

const RUNS = 40;
const tally = newTally();

@Entity({ tableName: 'fz_note' })
class FzNote {
  static plugins = ['timestamp', 'softDelete', 'audit', { cache: { store: 'memory' } }, { validation: { validate: () => [] } }];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

@Entity({ tableName: 'fz_plain' })
class FzPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
}

const registry = () => new core.PluginRegistry().registerMany([core.TimestampPlugin, core.SoftDeletePlugin, core.ValidationPlugin, audit.AuditPlugin, cache.CachePlugin]);
const extensions = () => [core.pluginSystem({ registry: registry() }), audit.auditLog(), operations.pluginOperations({ state: { pollInterval: false } })];
let orm: MikroORM;

beforeAll(async () => {
  orm = await MikroORM.init({ driver: SqliteDriver, dbName: ':memory:', entities: [FzNote, FzPlain], extensions: extensions(), allowGlobalContext: true });
  await orm.schema.create();
  await operations.syncPluginState(orm);
  const em = orm.em.fork();
  for (const title of ['a', 'b', 'c']) em.create(FzNote, { title });
  await em.flush();
  em.remove(em.getReference(FzNote, 3));
  await em.flush();
});
afterAll(async () => {
  await cache.cachePluginOf(orm)?.close();
  await orm.close(true);
  reportTally('api-orm.fuzz', tally);
});

/** Every row of every table, as text: compared before and after a call that threw. */
async function snapshot(): Promise<string> {
  const connection = orm.em.getConnection();
  const tables = await connection.execute<{ name: string }[]>("select name from sqlite_master where type = 'table' order by name");
  const rows = await Promise.all(tables.map((t: { name: string }) => connection.execute(`select * from "${t.name}"`)));
  return JSON.stringify(rows);
}

/** Fuzzes the entry point; after each rejection, the database is what it was before the call. */
async function fuzzWritesNothing(entry: EntryPoint, runs = RUNS): Promise<void> {
  let before = await snapshot();
  await fuzzEntry(entry, runs, tally, async (outcome: Outcome) => {
    const after = await snapshot();
    if (!outcome.ok) expect(after, `${entry.name} threw and wrote`).toBe(before);
    before = after;
  });
}

// Near-valid values, built once the ORM is up.
const ormOrEm = fc.constantFrom('orm', 'em', 'fork').map(kind => (kind === 'orm' ? orm : kind === 'em' ? orm.em : orm.em.fork()));
const em = fc.constantFrom('em', 'fork').map(kind => (kind === 'em' ? orm.em : orm.em.fork()));
const entity = fc.oneof(fc.constantFrom<unknown>(FzNote, FzPlain, 'FzNote', 'FzPlain', 'fz_note', 'Nope', class NotAnEntity {}), fc.constant(null).map(() => orm.em.fork().getReference(FzNote, 1)));
const entityInstance = fc.constantFrom(1, 2, 3, 99).map(id => orm.em.fork().getReference(FzNote, id));
const plugin = fc.constantFrom('timestamp', 'softDelete', 'validation', 'audit', 'cache', 'nope', 'AuditSink:table');
const event = fc.constantFrom('beforeCreate', 'afterChange', 'beforeDelete', 'onRead', 'queryFilter', 'nope');
const id = fc.oneof(fc.constantFrom<unknown>(1, 2, 3, 99, '1', -1), argument());
const filter = fc.record({ from: argument(fc.date()), to: argument(fc.date()), operation: argument(fc.constantFrom('create', 'update')), limit: argument(fc.integer()) }, { requiredKeys: [] });
const meta = fc.constantFrom('FzNote', 'FzPlain').map(name => orm.getMetadata().getByClassName(name));
const platform = fc.constant(null).map(() => orm.em.getPlatform());
const status = fc.constantFrom('active', 'disabled', 'reserve', 'on');
const target = fc.record({ entity: argument(fc.constantFrom('FzNote', 'FzPlain', 'Nope', '*')) }, { requiredKeys: [] });
const fn = fc.constantFrom<unknown>(() => undefined, async () => undefined);
const a = argument;

const entries: EntryPoint[] = [
  { name: 'runtimeOf', args: fc.tuple(a(ormOrEm)), call: ([x]) => core.runtimeOf(x as never) },
  { name: 'onCommit', args: fc.tuple(a(em), a(fn)), call: ([e, f]) => core.onCommit(e as never, f as never) },
  { name: 'describeChain', args: fc.tuple(a(ormOrEm), a(entity), a(event)), call: ([x, e, ev]) => core.describeChain(x as never, e as never, ev as never) },
  { name: 'pluginOptions', args: fc.tuple(a(em), a(entity), a(plugin)), call: ([x, e, p]) => core.pluginOptions(x as never, e as never, p as never) },
  { name: 'isPluginActive', args: fc.tuple(a(em), a(plugin), a(entity)), call: ([x, p, e]) => core.isPluginActive(x as never, p as never, e as never) },
  { name: 'entityTrait', args: fc.tuple(a(em), a(entity), a(fc.constantFrom('softDelete', 'nope'))), call: ([x, e, t]) => core.entityTrait(x as never, e as never, t as never) },
  { name: 'metadataOf', args: fc.tuple(a(em), a(entity)), call: ([x, e]) => core.metadataOf(x as never, e as never) },
  { name: 'emit', args: fc.tuple(a(em), a(fc.constantFrom('custom', 'beforeCreate', 'nope')), a(entityInstance), a()), call: ([x, ev, e, p]) => core.emit(x as never, ev as never, e as never, p as never) },
  { name: 'bindContext', args: fc.tuple(a(em), a(fc.record({ actor: a(fc.string()) }, { requiredKeys: [] }))), call: ([x, c]) => core.bindContext(x as never, c as never) },
  { name: 'currentContext', args: fc.tuple(a(em)), call: ([x]) => core.currentContext(x as never) },
  { name: 'restore (entity)', args: fc.tuple(a(em), a(entityInstance), a(fc.record({ cascade: a(fc.boolean()) }, { requiredKeys: [] }))), call: ([x, e, o]) => core.restore(x as never, e as never, o as never) },
  { name: 'restore (where)', args: fc.tuple(a(em), a(entity), a(fc.record({ id: a(fc.integer()) }, { requiredKeys: [] })), a()), call: ([x, e, w, o]) => core.restore(x as never, e as never, w as never, o as never) },
  { name: 'hardDelete', args: fc.tuple(a(em), a(entityInstance)), call: ([x, e]) => core.hardDelete(x as never, e as never) },
  { name: 'entityState', args: fc.tuple(a(entityInstance)), call: ([e]) => core.entityState(e as never) },
  { name: 'managedById', args: fc.tuple(a(em), a(entity), id), call: ([x, e, i]) => core.managedById(x as never, e as never, i) },
  { name: 'filterConditions', args: fc.tuple(a(em), a(entity), a(fc.record({ softDelete: a(fc.boolean()) }, { requiredKeys: [] })), a(fc.constant({}))), call: ([x, e, f, o]) => core.filterConditions(x as never, e as never, f as never, o as never) },
  { name: 'addPluginColumn', args: fc.tuple(a(meta), a(platform), a(fc.record({ name: a(fc.string()), type: a(fc.constantFrom('datetime', 'string', 'integer')), nullable: a(fc.boolean()) }, { requiredKeys: [] }))), call: ([m, p, s]) => core.addPluginColumn(m as never, p as never, s as never) },
  { name: 'markedColumn', args: fc.tuple(a(meta), a(platform), a(fc.record({ name: a(fc.string()), type: a(fc.constantFrom('datetime', 'string')) }, { requiredKeys: [] }))), call: ([m, p, s]) => core.markedColumn(m as never, p as never, s as never) },
  { name: 'inTablePerType', args: fc.tuple(a(meta)), call: ([m]) => core.inTablePerType(m as never) },
  { name: 'auditTable', args: fc.tuple(a(em)), call: ([x]) => audit.auditTable(x as never) },
  { name: 'history', args: fc.tuple(a(em), a(entity, entityInstance), id, a(filter)), call: ([x, t, p, f]) => audit.history(x as never, t as never, p, f as never) },
  { name: 'bulkHistory', args: fc.tuple(a(em), a(entity), a(filter)), call: ([x, e, f]) => audit.bulkHistory(x as never, e as never, f as never) },
  { name: 'stateAt', args: fc.tuple(a(em), a(entity), id, a(fc.date())), call: ([x, e, p, w]) => audit.stateAt(x as never, e as never, p, w as never) },
  { name: 'cacheMetrics', args: fc.array(a(ormOrEm, entity), { maxLength: 2 }), call: args => (cache.cacheMetrics as Function)(...args) },
  { name: 'clearCache', args: fc.tuple(a(ormOrEm)), call: ([x]) => cache.clearCache(x as never) },
  { name: 'clearCache (target)', args: fc.tuple(a(ormOrEm), a(fc.record({ entity: a(entity), id }, { requiredKeys: [] }))), call: ([x, t]) => cache.clearCache(x as never, t as never) },
  { name: 'cacheStores', args: fc.tuple(a(ormOrEm)), call: ([x]) => cache.cacheStores(x as never) },
  {
    name: 'recordAuditEvent',
    args: fc.tuple(a(em), a(fc.record({ subject: a(fc.string()), subjectId: a(fc.string()), action: a(fc.string()), actor: a(fc.string(), fc.constant(null)), details: a(fc.dictionary(fc.string(), fc.jsonValue())) }, { requiredKeys: [] }))),
    call: ([x, e]) => audit.recordAuditEvent(x as never, e as never),
  },
  { name: 'auditEvents', args: fc.tuple(a(em), a(fc.record({ subject: a(fc.string()), actor: a(fc.string()), limit: a(fc.integer()) }, { requiredKeys: [] }))), call: ([x, f]) => audit.auditEvents(x as never, f as never) },
  { name: 'checkPluginHealth', args: fc.tuple(a(ormOrEm), a(plugin), a(fc.record({ timeout: a(fc.integer()) }, { requiredKeys: [] }))), call: ([x, p, o]) => operations.checkPluginHealth(x as never, p as never, o as never) },
  { name: 'testPluginConnection', args: fc.tuple(a(ormOrEm), a(plugin), a(fc.record({ entity: a(fc.constantFrom('FzNote', 'FzPlain', 'Nope')) }, { requiredKeys: [] }))), call: ([x, p, o]) => operations.testPluginConnection(x as never, p as never, o as never) },
  { name: 'scrubOrmSecrets', args: fc.tuple(a(ormOrEm), a(fc.string())), call: ([x, t]) => operations.scrubOrmSecrets(x as never, t as never) },
  ...(['checkPluginOptions', 'setPluginOptions'] as const).map(
    (fnName): EntryPoint => ({
      name: fnName,
      args: fc.tuple(a(ormOrEm), a(plugin), a(fc.constantFrom('FzNote', 'FzPlain', '*')), a(fc.dictionary(fc.constantFrom('ttl', 'store', 'prefix', 'x'), a(fc.integer(), fc.constantFrom('memory', '***'))))),
      call: ([x, p, e, o]) => operations[fnName](x as never, p as never, e as never, o as never),
    }),
  ),
  {
    name: 'pluginConsole',
    args: fc.tuple(a(ormOrEm), a(fc.record({ authorize: a(fn), prefix: a(fc.string(), fc.constant('/admin')), allowedOrigins: a(fc.array(fc.string())), maxBodyBytes: a(fc.integer()), csrfSecret: a(fc.string()), onError: a(fn) }, { requiredKeys: [] }))),
    call: ([x, o]) => consoleApi.pluginConsole(x as never, o as never),
  },
  { name: 'operationsOf', args: fc.tuple(a(ormOrEm)), call: ([x]) => operations.operationsOf(x as never) },
  { name: 'syncPluginState', args: fc.tuple(a(ormOrEm), a(fc.record({ mode: a(fc.constantFrom('create', 'update')), prune: a(fc.boolean()) }, { requiredKeys: [] }))), call: ([x, o]) => operations.syncPluginState(x as never, o as never) },
  { name: 'setPluginStatus', args: fc.tuple(a(ormOrEm), a(plugin), a(status), a(target)), call: ([x, p, s, t]) => operations.setPluginStatus(x as never, p as never, s as never, t as never) },
  { name: 'enablePlugin', args: fc.tuple(a(ormOrEm), a(plugin), a(target)), call: ([x, p, t]) => operations.enablePlugin(x as never, p as never, t as never) },
  { name: 'disablePlugin', args: fc.tuple(a(ormOrEm), a(plugin), a(target)), call: ([x, p, t]) => operations.disablePlugin(x as never, p as never, t as never) },
  { name: 'setPluginPriority', args: fc.tuple(a(ormOrEm), a(plugin), a(fc.integer(), fc.constant(null)), a(target)), call: ([x, p, v, t]) => operations.setPluginPriority(x as never, p as never, v as never, t as never) },
  { name: 'readPluginState', args: fc.tuple(a(ormOrEm)), call: ([x]) => operations.readPluginState(x as never) },
  { name: 'refreshPluginState', args: fc.tuple(a(ormOrEm), a(fc.record({ force: a(fc.boolean()) }, { requiredKeys: [] }))), call: ([x, o]) => operations.refreshPluginState(x as never, o as never) },
  { name: 'pluginStateEntities', args: fc.tuple(a(ormOrEm)), call: ([x]) => operations.pluginStateEntities(x as never) },
  { name: 'optionsJsonSchema', args: fc.tuple(a(ormOrEm), a(plugin)), call: ([x, p]) => operations.optionsJsonSchema(x as never, p as never) },
  { name: 'explainChains', args: fc.tuple(a(ormOrEm), a(fc.record({ entity: a(fc.constantFrom('FzNote', 'Nope')), event: a(event) }, { requiredKeys: [] }))), call: ([x, o]) => operations.explainChains(x as never, o as never) },
  { name: 'listPlugins', args: fc.tuple(a(ormOrEm)), call: ([x]) => operations.listPlugins(x as never) },
  { name: 'doctor', args: fc.tuple(a(fc.constant(null).map(() => orm)), a(fc.record({ onProgress: a(fn) }, { requiredKeys: [] }))), call: ([x, o]) => operations.doctor(x as never, o as never) },
  { name: 'getImplementation (with an ORM)', args: fc.tuple(a(fc.constant(audit.AuditSinkType)), a(ormOrEm)), call: ([t, x]) => operations.getImplementation(t as never, x as never) },
  { name: 'recordHooks', args: fc.tuple(a(ormOrEm)), call: ([x]) => testing.recordHooks(x as never).stop?.() },
  {
    name: 'expectChain',
    args: fc.tuple(a(ormOrEm), a(entity), a(event), a(fc.array(fc.constantFrom('timestamp.touch', 'audit.record'), { maxLength: 2 }))),
    call: ([x, e, ev, expected]) => testing.expectChain(x as never, e as never, ev as never, expected as never),
    // Its documented failure: the chain differs from the one expected.
    allowed: error => (error as Error)?.name === 'AssertionError' && (error as { operator?: string }).operator === 'expectChain',
  },
];

test.each(entries.map(entry => [entry.name, entry] as const))('%s: succeeds or throws a typed PluginError, and writes nothing when it throws', async (_name, entry) => {
  await fuzzWritesNothing(entry);
  expect(tally.untyped.get(entry.name)).toBeUndefined();
});

// Start-up: plugin lists and options per entity and globally, as the config objects give them.
const pluginOptions = fc.oneof(
  fc.constant(true),
  fc.record({ createdAt: a(fc.string(), fc.constant(false)), updatedAt: a(fc.string(), fc.constant(false)), columns: a(fc.dictionary(fc.string(), a(fc.string()))), now: a(fn) }, { requiredKeys: [] }),
  fc.record({ field: a(fc.string()), unique: a(fc.array(a(fc.string()))), policy: a(fc.constantFrom('soft', 'noDelete', 'softCascade')), cascade: a(fc.array(a(fc.string()))), batchField: a(fc.string(), fc.constant(false)), deletedBy: a(fc.string(), fc.constant(false)) }, { requiredKeys: [] }),
  fc.record({ include: a(fc.array(a(fc.string()))), exclude: a(fc.array(a(fc.string()))), redact: a(fc.array(a(fc.constantFrom('title', 'id')))), ignoreNoopUpdates: a(fc.boolean()) }, { requiredKeys: [] }),
  fc.record({ ttl: a(fc.integer()), prefix: a(fc.string()), store: a(fc.constantFrom('memory', 'redis', 'nope')) }, { requiredKeys: [] }),
  fc.record({ schema: a(), validate: a(fn) }, { requiredKeys: [] }),
  a(),
);
const pluginEntry = fc.oneof(plugin, fc.dictionary(plugin, pluginOptions, { maxKeys: 2 }), a());
const pluginList = a(fc.array(pluginEntry, { maxLength: 3 }));

test('start-up with arbitrary plugin lists and options: typed errors only', async () => {
  await fuzzEntry(
    {
      name: 'MikroORM.init with pluginSystem({ global, entities })',
      args: fc.tuple(pluginList, a(fc.dictionary(fc.constantFrom('FzNote', 'FzPlain', 'Nope'), pluginList, { maxKeys: 2 })), a(fc.integer()), a(fc.array(a(plugin), { maxLength: 2 }))),
      call: async ([global, entities, rowLimit, disabled]) => {
        const started = await testing.createTestOrm({
          entities: [FzPlain],
          registry: registry(),
          global: global as never,
          entityPlugins: entities as never,
          rowLimit: rowLimit as never,
          disabled: disabled as never,
          extensions: [audit.auditLog()],
        });
        await cache.cachePluginOf(started)?.close();
        await started.close(true);
      },
    },
    60,
    tally,
  );
  expect([...tally.untyped.keys()].filter(name => name.startsWith('MikroORM.init'))).toEqual([]);
});
