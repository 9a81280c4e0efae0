// Fuzz, part 1: every exported function, decorator and factory that needs no ORM, fed arbitrary
// JavaScript values and near-valid shapes. Each call succeeds or throws a `PluginError` with a
// declared code; a TypeError, RangeError or any other error is a defect (listed in the failure).
import { EntitySchema } from '@mikro-orm/core';
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import * as audit from '../src/audit.js';
import * as cache from '../src/cache.js';
import * as core from '../src/index.js';
import * as operations from '../src/operations/index.js';
import * as testing from '../src/testing.js';
import { argument, argumentList, fuzzEntry, newTally, reportTally, type EntryPoint } from './support/fuzz.js';

const RUNS = 60;
const tally = newTally();

// Near-valid values each entry point is likely to half-accept.
const pluginName = fc.constantFrom('timestamp', 'softDelete', 'validation', 'audit', 'cache', 'nope', 'Timestamp');
const eventName = fc.constantFrom('beforeCreate', 'afterChange', 'beforeSave', 'onRead', 'beforeDelete', 'queryFilter', 'custom:x', 'nope');
const pluginClass = fc.constantFrom<unknown>(core.TimestampPlugin, core.SoftDeletePlugin, core.ValidationPlugin, audit.AuditPlugin, cache.CachePlugin);
const registry = fc.constant(null).map(() => new core.PluginRegistry());
const nameList = fc.array(fc.oneof(pluginName, argument()), { maxLength: 3 });
const pluginList = fc.array(fc.oneof(pluginName, fc.dictionary(pluginName, argument(fc.constant(true), fc.dictionary(fc.string(), argument()))), argument()), { maxLength: 3 });
const fn = fc.constantFrom<unknown>(
  () => 1,
  async () => 2,
);
/** A callback argument: one of ours, or a value that is not a function (a function of the pool, such as a class, would throw itself). */
const callback = argument(fn).filter(v => typeof v !== 'function' || v.length === 0 && !/^class\b/.test(Function.prototype.toString.call(v)));
const record = (shape: Record<string, fc.Arbitrary<unknown>>) => fc.record(shape, { requiredKeys: [] });
const optionsObject = fc.dictionary(fc.oneof(fc.string(), pluginName), argument(), { maxKeys: 4 });

/** A fresh class each time, with one method, to decorate. */
function target(): { cls: new () => object; proto: object; key: string } {
  const cls = class Target {
    m() {}
  };
  return { cls, proto: cls.prototype, key: 'm' };
}

const entries: EntryPoint[] = [
  {
    name: 'hook() applied to a method',
    args: fc.tuple(argument(eventName, fc.array(eventName, { maxLength: 2 })), argument(record({ priority: argument(fc.integer()), before: nameList, after: nameList, appliesTo: argument(fc.constantFrom('attached', 'all')) }))),
    call: ([events, options]) => {
      const { proto, key } = target();
      (core.hook(events as never, options as never) as any)(proto, key, Object.getOwnPropertyDescriptor(proto, key));
    },
  },
  {
    name: 'hook() applied to anything',
    args: fc.tuple(argument(), argument(fc.constant('m'))),
    call: ([where, key]) => (core.hook('beforeCreate') as any)(where, key),
  },
  {
    name: 'plugin() applied to a class',
    args: fc.tuple(argument(pluginName, record({ name: argument(fc.string()), registry: argument(registry, fc.constant(false)), version: argument(fc.constantFrom('1.0.0', 'x')), requires: argument(nameList), conflicts: argument(nameList), options: argument(optionsObject), events: argument(optionsObject), before: argument(nameList), after: argument(nameList), description: argument(fc.string()) }))),
    call: ([options]) => {
      const { cls, proto, key } = target();
      core.hook('beforeCreate')(proto as never, key as never);
      const withRegistry = typeof options === 'object' && options !== null && !('registry' in options) ? { ...options, registry: false } : options;
      (core.plugin(withRegistry as never) as any)(cls);
    },
  },
  {
    name: 'plugin() applied to anything',
    args: fc.tuple(argument()),
    call: ([what]) => (core.plugin({ name: 'fuzzTarget', registry: false }) as any)(what),
  },
  {
    name: 'PluginRegistry#register',
    args: fc.tuple(argument(pluginName, pluginClass), argument(pluginClass)),
    call: ([a, b]) => new core.PluginRegistry().register(a as never, b as never),
  },
  {
    name: 'PluginRegistry#registerMany',
    args: fc.tuple(argument(fc.array(pluginClass, { maxLength: 3 }), fc.dictionary(pluginName, argument(pluginClass)))),
    call: ([plugins]) => new core.PluginRegistry().registerMany(plugins as never),
  },
  ...(['has', 'getPlugin', 'isEnabled', 'enable', 'disable', 'definition', 'instance'] as const).map(
    (method): EntryPoint => ({
      name: `PluginRegistry#${method}`,
      args: fc.tuple(argument(pluginName)),
      call: ([name]) => (core.PluginRegistry.prototype[method] as Function).call(new core.PluginRegistry().register(core.TimestampPlugin), name),
    }),
  ),
  {
    name: 'withPlugins() applied to a class',
    args: fc.tuple(argument(pluginList)),
    call: ([list]) => (core.withPlugins(list as never) as any)(target().cls),
  },
  {
    name: 'withPlugins() applied to anything',
    args: fc.tuple(argument()),
    call: ([what]) => (core.withPlugins(['timestamp']) as any)(what),
  },
  { name: 'usePlugins', args: fc.tuple(argument(record({ meta: argument(optionsObject) }), fc.constant(null).map(() => new EntitySchema({ name: 'FuzzSchema', properties: { id: { type: 'integer', primary: true } } }))), argument(pluginList)), call: ([schema, list]) => core.usePlugins(schema as never, list as never) },
  { name: 'noPlugins', args: fc.tuple(argument(fc.constant(null).map(() => target().cls))), call: ([what]) => core.noPlugins(what as never) },
  {
    name: 'pluginSystem',
    args: argumentList(argument(record({ registry: argument(registry), plugins: argument(fc.array(argument(pluginClass, pluginName), { maxLength: 2 })), global: argument(pluginList), entities: argument(fc.dictionary(fc.string(), argument(pluginList))), rowLimit: argument(fc.integer()), onError: argument(fn) })), 1),
    call: args => core.pluginSystem(...(args as [never])),
  },
  { name: 'withoutPlugins', args: fc.tuple(argument(nameList), callback), call: ([names, run]) => core.withoutPlugins(names as never, run as never) },
  { name: 'defineErrorCodes', args: fc.tuple(argument(fc.string()), argument(fc.dictionary(fc.constantFrom('FUZZ_A', 'fuzz', 'MOP_HOOK_FAILED'), argument(fc.string())))), call: ([owner, codes]) => core.defineErrorCodes(owner as never, codes as never) },
  { name: 'errorCodeInfo', args: fc.tuple(argument(fc.constantFrom('MOP_HOOK_FAILED'))), call: ([code]) => core.errorCodeInfo(code as never) },
  { name: 'isBuiltInEvent', args: fc.tuple(argument(eventName)), call: ([e]) => core.isBuiltInEvent(e as never) },
  { name: 'eventKind', args: fc.tuple(argument(eventName)), call: ([e]) => core.eventKind(e as never) },
  { name: 'runWithContext', args: fc.tuple(argument(record({ actor: argument(fc.string()), requestId: argument(fc.string()) })), callback), call: ([ctx, run]) => core.runWithContext(ctx as never, run as never) },
  { name: 'currentContext', args: argumentList(argument(), 1), call: args => core.currentContext(...(args as [never])) },
  { name: 'timestampProperties', args: argumentList(argument(optionsObject), 1), call: args => (core.timestampProperties as Function)(...args) },
  { name: 'softDeleteProperties', args: argumentList(argument(record({ deletedBy: argument(fc.boolean()) })), 1), call: args => (core.softDeleteProperties as Function)(...args) },
  { name: 'withDeleted', args: argumentList(argument(), 1), call: args => (core.withDeleted as Function)(...args) },
  { name: 'onlyDeleted', args: argumentList(argument(), 1), call: args => (core.onlyDeleted as Function)(...args) },
  { name: 'markColumn', args: fc.tuple(argument()), call: ([b]) => core.markColumn(b) },
  { name: 'columnsIssues', args: fc.tuple(argument(optionsObject), argument(nameList)), call: ([c, names]) => core.columnsIssues(c, names as never) },
  { name: 'withPluginEntityManager', args: fc.tuple(argument()), call: ([base]) => core.withPluginEntityManager(base as never) },
  { name: 'withQueryOptions', args: fc.tuple(argument(), argument(optionsObject)), call: ([qb, o]) => core.withQueryOptions(qb as never, o as never) },
  { name: 'queryOptionsOf', args: fc.tuple(argument()), call: ([qb]) => core.queryOptionsOf(qb as never) },
  { name: 'entityState', args: fc.tuple(argument()), call: ([e]) => core.entityState(e as never) },
  { name: 'markStrict', args: fc.tuple(argument()), call: ([c]) => core.markStrict(c as never) },
  // Audit entry.
  { name: 'auditLog', args: argumentList(argument(record({ table: argument(fc.string(), fc.constant(false)), sinks: argument(fc.array(argument(record({ name: argument(fc.string()), write: argument(fn) })), { maxLength: 2 })), sinkType: argument(fc.constant(false)) })), 1), call: args => audit.auditLog(...(args as [never])) },
  { name: 'AuditSinkType.register', args: fc.tuple(argument(fc.string()), argument(record({ write: argument(fn) })), argument(record({ priority: argument(fc.integer()), status: argument(fc.constantFrom('active', 'reserve', 'disabled')) }))), call: ([n, impl, o]) => audit.AuditSinkType.register(n as never, impl as never, o as never) },
  // Cache entry.
  { name: 'memoryStore', args: argumentList(argument(record({ max: argument(fc.integer()) })), 1), call: args => cache.memoryStore(...(args as [never])) },
  {
    name: 'redisStore',
    args: argumentList(argument(record({ url: argument(fc.constantFrom('redis://127.0.0.1:1', 'redis://user:pw@127.0.0.1:1/0', 'http://x', 'nope')), keyPrefix: argument(fc.string()), timeoutMs: argument(fc.integer()), healthTimeoutMs: argument(fc.integer()), redisOptions: argument(optionsObject), client: argument() })), 1),
    call: args => cache.redisStore(...(args as [never])),
  },
  { name: 'CacheStore.register', args: fc.tuple(argument(fc.string()), argument(), argument(record({ priority: argument(fc.integer()) }))), call: ([n, impl, o]) => cache.CacheStore.register(n as never, impl as never, o as never) },
  { name: 'cachePluginOf', args: fc.tuple(argument()), call: ([x]) => cache.cachePluginOf(x as never) },
  // Operations entry.
  { name: 'pluginOperations', args: argumentList(argument(record({ state: argument(fc.boolean(), record({ table: argument(fc.string()), sync: argument(fc.constantFrom(false, 'create', 'update')), prune: argument(fc.boolean()), pollInterval: argument(fc.integer(), fc.constant(false)) })), lifecycle: argument(fc.boolean()), types: argument(fc.array(argument(), { maxLength: 2 })), onError: argument(fn) })), 1), call: args => operations.pluginOperations(...(args as [never])) },
  { name: 'toJsonSchema', args: fc.tuple(argument(record({ fields: argument(fc.dictionary(fc.string(), argument(record({ type: argument(fc.constantFrom('string', 'number', 'integer', 'boolean', 'array', 'object')), min: argument(fc.integer()), max: argument(fc.integer()), enum: argument(fc.array(argument())), pattern: argument(fc.string()), secret: argument(fc.boolean()) })))), defaults: argument(optionsObject) })), argument(record({ name: argument(fc.string()), description: argument(fc.string()) }))), call: ([spec, meta]) => operations.toJsonSchema(spec as never, meta as never) },
  { name: 'maskOptions', args: fc.tuple(argument(record({ fields: argument(fc.dictionary(fc.string(), argument(record({ type: argument(fc.constant('string')), secret: argument(fc.boolean()) })))) })), argument(optionsObject)), call: ([spec, o]) => operations.maskOptions(spec as never, o) },
  { name: 'formatExplainText', args: fc.tuple(argument(fc.array(argument(optionsObject), { maxLength: 2 }))), call: ([c]) => operations.formatExplainText(c as never) },
  { name: 'formatExplainMermaid', args: fc.tuple(argument(fc.array(argument(optionsObject), { maxLength: 2 }))), call: ([c]) => operations.formatExplainMermaid(c as never) },
  { name: 'definePluginType', args: fc.tuple(argument(fc.string()), argument(record({ methods: argument(fc.array(argument(fc.string()), { maxLength: 2 })), selector: argument(fn), description: argument(fc.string()) }))), call: ([n, o]) => operations.definePluginType(n as never, o as never) },
  { name: 'new PluginType', args: fc.tuple(argument(fc.string()), argument(record({ methods: argument(fc.array(argument(fc.string()), { maxLength: 2 })) }))), call: ([n, o]) => new operations.PluginType(n as never, o as never) },
  { name: 'getImplementation', args: fc.tuple(argument(fc.constant(audit.AuditSinkType)), argument()), call: ([t, s]) => operations.getImplementation(t as never, s as never) },
  { name: 'findImplementation', args: fc.tuple(argument(fc.constant(audit.AuditSinkType)), argument()), call: ([t, s]) => operations.findImplementation(t as never, s as never) },
  { name: 'defaultSelector', args: fc.tuple(argument(fc.array(argument(record({ status: argument(fc.constantFrom('active', 'reserve')), priority: argument(fc.integer()) })), { maxLength: 3 }))), call: ([c]) => operations.defaultSelector(c as never) },
  { name: 'definePluginConfig', args: fc.tuple(argument(record({ plugins: argument(fc.array(argument(fc.string()), { maxLength: 2 }), optionsObject) }))), call: ([c]) => operations.definePluginConfig(c as never) },
  // Testing entry (createTestOrm is in the ORM suite).
  { name: 'testRegistry', args: fc.array(argument(pluginClass), { maxLength: 2 }), call: args => testing.testRegistry(...(args as never[])) },
  { name: 'fakeClock', args: argumentList(argument(fc.date(), fc.integer(), fc.string()), 1), call: args => testing.fakeClock(...(args as [never])) },
  { name: 'fakeClock#advance', args: fc.tuple(argument(fc.integer())), call: ([ms]) => testing.fakeClock().advance(ms as never) },
  { name: 'fakeClock#set', args: fc.tuple(argument(fc.date(), fc.string())), call: ([t]) => testing.fakeClock().set(t as never) },
  { name: 'withActor', args: fc.tuple(argument(fc.string(), record({ actor: argument(fc.string()) })), callback), call: ([a, run]) => testing.withActor(a as never, run as never) },
];

test.each(entries.map(entry => [entry.name, entry] as const))('%s: succeeds or throws a typed PluginError', async (_name, entry) => {
  await fuzzEntry(entry, RUNS, tally);
  expect(tally.untyped.get(entry.name)).toBeUndefined();
});

afterAll(() => reportTally('api.fuzz', tally));
