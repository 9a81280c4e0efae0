// Plain-JavaScript misuse of the exported functions: a typed `PluginError`, never a raw TypeError.
import { describe, expect, test } from 'vitest';
import { hook, metadataOf, plugin, PluginError, PluginRegistry, pluginSystem, withoutPlugins } from '../src/index.js';
import { definePluginType } from '../src/operations/index.js';

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('withoutPlugins', () => {
  test('names that are not a list of plugin names are a typed error naming the argument', () => {
    for (const names of [42, 'timestamp', null, undefined, {}, [42], [''], [null], new Set(['timestamp'])]) {
      let ran = false;
      const error = thrown(() => withoutPlugins(names as never, () => (ran = true)));
      expect(error, String(names)).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'plugins' });
      expect(ran).toBe(false);
    }
  });

  test('a callback that is not a function is a typed error naming the argument', () => {
    for (const fn of [42, null, undefined, 'fn', {}]) {
      const error = thrown(() => withoutPlugins(['timestamp'], fn as never));
      expect(error).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'fn' });
    }
  });

  test('valid calls still run the callback and return its result', () => {
    expect(withoutPlugins([], () => 7)).toBe(7);
    expect(withoutPlugins(['timestamp'], () => 'ok')).toBe('ok');
  });
});

describe('plugin type implementations', () => {
  test('a priority the plugin_state column cannot hold is refused at registration, typed, naming the option', () => {
    const Type = definePluginType<{ send(): string }>('MisuseSender', { methods: ['send'] });
    for (const priority of [2 ** 31, -(2 ** 31) - 1, 2 ** 40, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      const error = thrown(() => Type.register('wide', { send: () => 'x' }, { priority: priority as number }));
      expect(error, String(priority)).toBeInstanceOf(PluginError);
      expect(error).toMatchObject({ code: 'MOP_INVALID_IMPLEMENTATION', plugin: 'MisuseSender:wide', option: 'priority' });
    }
    expect(Type.implementations()).toEqual([]);
    for (const [name, priority] of [['low', -(2 ** 31)], ['high', 2 ** 31 - 1]] as const) Type.register(name, { send: () => name }, { priority });
    expect(Type.implementations().map(i => i.priority)).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });

  test('malformed type options and implementation options are typed errors', () => {
    for (const options of [undefined, null, 42, { methods: 'send' }, { methods: [42] }, { methods: ['send'], selector: 'first' }]) {
      expect(thrown(() => definePluginType('MisuseBadType', options as never))).toMatchObject({ code: 'MOP_INVALID_PLUGIN' });
    }
    expect(thrown(() => definePluginType(42 as never, { methods: ['send'] }))).toMatchObject({ code: 'MOP_INVALID_PLUGIN' });
    const Type = definePluginType<{ send(): string }>('MisuseOptions', { methods: ['send'] });
    for (const options of [null, 42, 'x']) {
      expect(thrown(() => Type.register('bad', { send: () => 'x' }, options as never))).toMatchObject({ code: 'MOP_INVALID_IMPLEMENTATION' });
    }
  });
});

describe('entity names that are members of a plain object', () => {
  test("metadataOf('constructor') is MOP_UNKNOWN_ENTITY, not metadata of Object", async () => {
    const { MikroORM } = await import('@mikro-orm/core');
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    const { EntitySchema } = await import('@mikro-orm/core');
    const Thing = new EntitySchema({ name: 'MisuseThing', properties: { id: { type: 'integer', primary: true } } });
    const orm = await MikroORM.init({ driver: SqliteDriver, dbName: ':memory:', entities: [Thing], extensions: [pluginSystem()], allowGlobalContext: true });
    try {
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        expect(thrown(() => metadataOf(orm.em, name)), name).toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
      }
      expect(metadataOf(orm.em, 'MisuseThing').className).toBe('MisuseThing');
    } finally {
      await orm.close();
    }
  });
});

describe('plugin options specs', () => {
  test('a malformed fields entry is refused at registration, naming the path', () => {
    for (const [fields, path] of [
      [{ host: { type: 'text' } }, 'options.fields.host.type'],
      [{ host: { type: 'string', enum: 'a' } }, 'options.fields.host.enum'],
      [{ host: { type: 'string', pattern: '(' } }, 'options.fields.host.pattern'],
      [{ host: { type: 'number', min: '1' } }, 'options.fields.host.min'],
      [{ host: 42 }, 'options.fields.host'],
    ] as const) {
      const registry = new PluginRegistry();
      const error = thrown(() => {
        @plugin({ name: 'misuseSpec', registry, options: { fields: fields as never } })
        class MisuseSpec {
          @hook('beforeCreate') touch() {}
        }
        return MisuseSpec;
      });
      expect(error, path).toMatchObject({ code: 'MOP_INVALID_PLUGIN', plugin: 'misuseSpec', option: path });
      expect(registry.names()).toEqual([]);
    }
  });
});

describe('live options', () => {
  test('a malformed live list, or one naming a secret, is refused at registration', () => {
    for (const options of [{ live: 'ttl' }, { live: ['a.b'] }, { live: [''] }, { fields: { key: { type: 'string', secret: true } }, live: ['key'] }]) {
      const registry = new PluginRegistry();
      const error = thrown(() => {
        @plugin({ name: 'misuseLive', registry, options: options as never })
        class MisuseLive {
          @hook('beforeCreate') touch() {}
        }
        return MisuseLive;
      });
      expect(error, JSON.stringify(options)).toMatchObject({ code: 'MOP_INVALID_PLUGIN', plugin: 'misuseLive', option: 'options.live' });
      expect(registry.names()).toEqual([]);
    }
  });
});

describe('recordHooks', () => {
  test('a frozen plugin instance cannot be wrapped: a typed error naming plugin and hook, not a TypeError', async () => {
    const { createTestOrm, recordHooks } = await import('../src/testing.js');
    const { EntitySchema } = await import('@mikro-orm/core');
    const registry = new PluginRegistry();
    @plugin({ name: 'misuseFrozen', registry: false })
    class MisuseFrozen {
      @hook('beforeCreate') stamp() {}
    }
    registry.register(Object.freeze(new MisuseFrozen()));
    const Thing = new EntitySchema({ name: 'MisuseFrozenThing', properties: { id: { type: 'integer', primary: true } } });
    const orm = await createTestOrm({ entities: [Thing], registry, global: ['misuseFrozen' as never] });
    try {
      expect(thrown(() => recordHooks(orm))).toMatchObject({ code: 'MOP_INVALID_ARGUMENT', plugin: 'misuseFrozen', hook: 'stamp' });
    } finally {
      await orm.close();
    }
  });
});

describe('a hook that throws something other than an Error', () => {
  test('a symbol or a null-prototype object still becomes a HookError (MOP_HOOK_FAILED), the flush rolled back', async () => {
    const { createTestOrm } = await import('../src/testing.js');
    const { EntitySchema } = await import('@mikro-orm/core');
    let reason: unknown;
    const registry = new PluginRegistry();
    @plugin({ name: 'misuseThrower', registry })
    class MisuseThrower {
      @hook('beforeCreate') boom() {
        throw reason;
      }
    }
    void MisuseThrower;
    const Thing = new EntitySchema({ name: 'MisuseThrown', properties: { id: { type: 'integer', primary: true } } });
    const orm = await createTestOrm({ entities: [Thing], registry, global: ['misuseThrower' as never] });
    try {
      for (const value of [Symbol('odd'), Object.create(null), undefined]) {
        reason = value;
        const em = orm.em.fork();
        em.create(Thing, { id: 1 });
        const error = await em.flush().then(() => undefined, (e: unknown) => e);
        expect(error).toMatchObject({ name: 'HookError', code: 'MOP_HOOK_FAILED', plugin: 'misuseThrower' });
        expect(await orm.em.fork().count(Thing)).toBe(0);
      }
    } finally {
      await orm.close();
    }
  });
});

describe('what the high-count fuzz runs found', () => {
  test('restore with options or a where that is not a filter, cacheMetrics of a non-entity and defaultSelector of unranked candidates are typed errors', async () => {
    const { MikroORM, EntitySchema } = await import('@mikro-orm/core');
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    const { cacheMetrics } = await import('../src/cache.js');
    const { defaultSelector } = await import('../src/operations/index.js');
    const { restore } = await import('../src/index.js');
    const Doc = new EntitySchema<any>({
      name: 'MisuseDoc',
      properties: { id: { type: 'integer', primary: true }, title: { type: 'string' } },
    });
    const orm = await MikroORM.init({
      driver: SqliteDriver,
      dbName: ':memory:',
      entities: [Doc],
      extensions: [pluginSystem({ entities: { MisuseDoc: ['softDelete'] } })],
      allowGlobalContext: true,
    });
    try {
      await orm.schema.create();
      const em = orm.em.fork();
      const doc = em.create(Doc, { id: 1, title: 'kept' });
      await em.flush();
      await expect(restore(em, doc, null as never)).rejects.toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'options' });
      await expect(restore(em, Doc, null as never)).rejects.toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'where' });
      // MikroORM cannot read these conditions: its own errors (a TypeError, an unknown property) become typed ones.
      await expect(restore(em, Doc, { $or: 1 } as never)).rejects.toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'where' });
      await expect(restore(em, Doc, { MisuseDoc: 1 } as never)).rejects.toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'where' });
      expect(await orm.em.fork().count(Doc, {})).toBe(1);
      expect(thrown(() => cacheMetrics(orm, null as never))).toMatchObject({ code: 'MOP_UNKNOWN_ENTITY' });
    } finally {
      await orm.close();
    }
    const unranked = { name: 'x', status: 'active', priority: Object.create(null) };
    expect(thrown(() => defaultSelector([unranked as never]))).toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'candidates' });
  });
});

describe('progress callbacks', () => {
  test('a progress callback that throws (a class passed by mistake) fails neither doctor nor sync', async () => {
    const { MikroORM, EntitySchema } = await import('@mikro-orm/core');
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    const { doctor, pluginOperations, syncPluginState } = await import('../src/operations/index.js');
    const Note = new EntitySchema<any>({ name: 'ProgressNote', properties: { id: { type: 'integer', primary: true } } });
    const orm = await MikroORM.init({
      driver: SqliteDriver,
      dbName: ':memory:',
      entities: [Note],
      extensions: [pluginSystem({ entities: { ProgressNote: ['timestamp'] } }), pluginOperations({ state: { pollInterval: false } })],
      allowGlobalContext: true,
    });
    try {
      await orm.schema.create();
      const throwing = () => {
        throw new Error('terminal closed');
      };
      expect(await syncPluginState(orm, { onProgress: throwing })).toMatchObject({ inserted: expect.any(Array) });
      expect(await orm.em.fork().getConnection().execute('select count(*) as n from plugin_state')).toEqual([{ n: expect.any(Number) }]);
      const report = await doctor(orm, { onProgress: class Anonymous {} as never });
      expect(report.findings.length).toBeGreaterThan(0);
    } finally {
      await orm.close();
    }
  });
});
