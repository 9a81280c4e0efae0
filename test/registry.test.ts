import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import {
  defaultRegistry,
  describeChain,
  hook,
  plugin,
  pluginSystem,
  PluginConfigError,
  PluginRegistrationError,
  PluginRegistry,
  type HookContext,
  type PluginClass,
} from '../src/index.js';
import { sqlite } from './support/databases.js';

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectRegistrationError(fn: () => unknown, code: string): PluginRegistrationError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(PluginRegistrationError);
  expect(error.code).toBe(code);
  return error;
}

describe('register', () => {
  test('registers an undecorated class under the given name, with default metadata', () => {
    class Audit {
      @hook('afterCreate', { priority: 3 })
      record(): void {}
    }
    const r = new PluginRegistry().register('audit', Audit);
    expect(r.has('audit')).toBe(true);
    expect(r.getPlugin('audit')).toEqual({
      name: 'audit',
      version: '0.0.0',
      description: '',
      requires: [],
      requiredVersions: {},
      conflicts: {},
      events: {},
      package: undefined,
      hooks: [{ event: 'afterCreate', method: 'record', priority: 3 }],
      enabled: true,
    });
  });

  test('a class decorated with @plugin is registered under its own name with its metadata', () => {
    @plugin({ name: 'slug', version: '2.1.0', description: 'Makes slugs', requires: ['timestamp'], registry: false })
    class Slug {
      @hook(['beforeCreate', 'beforeUpdate'], { priority: -5 })
      makeSlug(): void {}
    }
    const r = new PluginRegistry().register(Slug);
    expect(r.getPlugin('slug')).toEqual({
      name: 'slug',
      version: '2.1.0',
      description: 'Makes slugs',
      requires: ['timestamp'],
      requiredVersions: { timestamp: '*' },
      conflicts: {},
      events: {},
      package: undefined,
      hooks: [
        { event: 'beforeCreate', method: 'makeSlug', priority: -5 },
        { event: 'beforeUpdate', method: 'makeSlug', priority: -5 },
      ],
      enabled: true,
    });
  });

  test('register(name, Class) overrides the name given by @plugin', () => {
    @plugin({ name: 'original', registry: false })
    class Renamed {}
    const r = new PluginRegistry().register('renamed', Renamed);
    expect(r.has('renamed')).toBe(true);
    expect(r.has('original')).toBe(false);
    expect(r.getPlugin('renamed')!.name).toBe('renamed');
  });

  test('registering the same class under the same name twice is a no-op', () => {
    class Once {}
    const r = new PluginRegistry().register('once', Once);
    const version = r.version;
    expect(() => r.register('once', Once)).not.toThrow();
    expect(r.version).toBe(version);
    expect(r.list().map(p => p.name)).toEqual(['once']);
  });

  test('a different class under a taken name is MOP_PLUGIN_NAME_TAKEN, and the first class stays', () => {
    class First {
      afterLoad(): void {}
    }
    class Second {}
    const r = new PluginRegistry().register('dup', First);
    const error = expectRegistrationError(() => r.register('dup', Second), 'MOP_PLUGIN_NAME_TAKEN');
    expect(error.plugin).toBe('dup');
    expect(error.message).toContain('First');
    expect(error.message).toContain('Second');
    expect(r.getPlugin('dup')!.hooks).toEqual([{ event: 'afterLoad', method: 'afterLoad', priority: 0 }]);
  });

  test('register returns the registry, so calls chain', () => {
    class A {}
    class B {}
    const r = new PluginRegistry();
    expect(r.register('a', A).register('b', B)).toBe(r);
  });
});

describe('invalid plugins are MOP_INVALID_PLUGIN', () => {
  test.each(['', '1st', 'has space', 'a/b', '-dash', '_under'])('the name %j is rejected', name => {
    class Named {}
    const error = expectRegistrationError(() => new PluginRegistry().register(name, Named), 'MOP_INVALID_PLUGIN');
    expect(error.message).toContain(JSON.stringify(name));
  });

  test.each(['a', 'softDelete', 'my-plugin', 'acme:audit', 'v1.2_x'])('the name %j is accepted', name => {
    class Named {}
    expect(new PluginRegistry().register(name, Named).has(name)).toBe(true);
  });

  test.each([
    ['an object', {}],
    ['a string', 'Plugin'],
    ['undefined', undefined],
    ['null', null],
  ])('registering %s instead of a class is rejected', (_what, value) => {
    expectRegistrationError(() => new PluginRegistry().register('notAClass', value as unknown as PluginClass), 'MOP_INVALID_PLUGIN');
    expectRegistrationError(() => new PluginRegistry().register(value as unknown as PluginClass), 'MOP_INVALID_PLUGIN');
  });

  test('a class without an @plugin name needs an explicit name', () => {
    class Anonymous {}
    const error = expectRegistrationError(() => new PluginRegistry().register(Anonymous), 'MOP_INVALID_PLUGIN');
    expect(error.message).toContain('Anonymous');
  });

  test('a hook on something that is not a method is rejected', () => {
    class FieldHook {
      notAMethod = 'value';
    }
    // A field has no descriptor on the prototype: decorate it by hand, as a legacy property decorator would.
    (hook('beforeCreate') as unknown as (target: object, key: string) => void)(FieldHook.prototype, 'notAMethod');
    const error = expectRegistrationError(() => new PluginRegistry().register('fieldHook', FieldHook), 'MOP_INVALID_PLUGIN');
    expect(error.plugin).toBe('fieldHook');
    expect(error.message).toContain('notAMethod');
  });

  test('a hook with a non-finite priority is rejected', () => {
    class NaNPriority {
      @hook('beforeCreate', { priority: Number.NaN })
      run(): void {}
    }
    expectRegistrationError(() => new PluginRegistry().register('nanPriority', NaNPriority), 'MOP_INVALID_PLUGIN');
  });

  test.each(['requires', 'before', 'after'] as const)("'%s' that is not an array of names is rejected", key => {
    @plugin({ name: `bad-${key}`, [key]: 'timestamp' as unknown as string[], registry: false })
    class NotAList {}
    @plugin({ name: `bad-${key}-item`, [key]: [42] as unknown as string[], registry: false })
    class NotNames {}
    const r = new PluginRegistry();
    expect(expectRegistrationError(() => r.register(NotAList), 'MOP_INVALID_PLUGIN').message).toContain(`'${key}'`);
    expectRegistrationError(() => r.register(NotNames), 'MOP_INVALID_PLUGIN');
    expect(r.list()).toEqual([]);
  });

  test('a failed registration leaves the registry and its version unchanged', () => {
    class Good {}
    class Bad {}
    const r = new PluginRegistry().register('good', Good);
    const version = r.version;
    expectRegistrationError(() => r.register('bad name', Bad), 'MOP_INVALID_PLUGIN');
    expectRegistrationError(() => r.register('good', Bad), 'MOP_PLUGIN_NAME_TAKEN');
    expect(r.version).toBe(version);
    expect(r.list().map(p => p.name)).toEqual(['good']);
  });
});

describe('hooks read from a class', () => {
  test('a method named after a built-in event is a hook on that event, other methods are not', () => {
    class Conventional {
      beforeCreate(): void {}
      afterLoad(): void {}
      helper(): void {}
      beforeSoftDelete(): void {} // a custom event: not a built-in, so no convention
    }
    const hooks = new PluginRegistry().register('conventional', Conventional).getPlugin('conventional')!.hooks;
    expect(hooks).toEqual([
      { event: 'beforeCreate', method: 'beforeCreate', priority: 0 },
      { event: 'afterLoad', method: 'afterLoad', priority: 0 },
    ]);
  });

  test('a decorated method named after an event is a hook only on the events it is decorated with', () => {
    class Decorated {
      @hook('afterCreate', { priority: 7 })
      beforeCreate(): void {}
    }
    expect(new PluginRegistry().register('decorated', Decorated).getPlugin('decorated')!.hooks).toEqual([
      { event: 'afterCreate', method: 'beforeCreate', priority: 7 },
    ]);
  });

  test('a subclass inherits the hooks of its base class, decorated and conventional', () => {
    class Base {
      @hook('beforeCreate', { priority: 1 })
      stamp(): void {}
      afterLoad(): void {}
    }
    class Child extends Base {
      @hook('afterDelete')
      forget(): void {}
    }
    expect(new PluginRegistry().register('child', Child).getPlugin('child')!.hooks).toEqual([
      { event: 'beforeCreate', method: 'stamp', priority: 1 },
      { event: 'afterDelete', method: 'forget', priority: 0 },
      { event: 'afterLoad', method: 'afterLoad', priority: 0 },
    ]);
  });

  test('a subclass re-decorating an inherited hook replaces its definition', () => {
    class Base {
      @hook('beforeCreate', { priority: 1 })
      stamp(): void {}
    }
    class Child extends Base {
      @hook('beforeCreate', { priority: 9 })
      override stamp(): void {}
    }
    const r = new PluginRegistry().registerMany({ base: Base, child: Child });
    expect(r.getPlugin('base')!.hooks).toEqual([{ event: 'beforeCreate', method: 'stamp', priority: 1 }]);
    expect(r.getPlugin('child')!.hooks).toEqual([{ event: 'beforeCreate', method: 'stamp', priority: 9 }]);
  });
});

describe('registerMany, list, has, getPlugin', () => {
  test('registerMany takes a record of name to class', () => {
    class A {}
    class B {}
    const r = new PluginRegistry().registerMany({ alpha: A, beta: B });
    expect(r.list().map(p => p.name)).toEqual(['alpha', 'beta']);
  });

  test('registerMany takes an array of @plugin classes', () => {
    @plugin({ name: 'one', registry: false })
    class One {}
    @plugin({ name: 'two', registry: false })
    class Two {}
    const r = new PluginRegistry().registerMany([One, Two]);
    expect(r.list().map(p => p.name)).toEqual(['one', 'two']);
  });

  test('list is in registration order and reports enabled state', () => {
    class A {}
    class B {}
    class C {}
    const r = new PluginRegistry().register('c', C).register('a', A).register('b', B).disable('a');
    expect(r.list().map(p => [p.name, p.enabled])).toEqual([
      ['c', true],
      ['a', false],
      ['b', true],
    ]);
  });

  test('unknown names: has is false, getPlugin is undefined, isEnabled is false', () => {
    const r = new PluginRegistry();
    expect(r.has('missing')).toBe(false);
    expect(r.getPlugin('missing')).toBeUndefined();
    expect(r.isEnabled('missing')).toBe(false);
  });

  test('plugin info is frozen: callers cannot change the registry through it', () => {
    class A {}
    const r = new PluginRegistry().register('a', A);
    const info = r.getPlugin('a')!;
    expect(Object.isFrozen(info)).toBe(true);
    expect(() => ((info as { enabled: boolean }).enabled = false)).toThrow(TypeError);
    expect(r.isEnabled('a')).toBe(true);
  });
});

describe('enable and disable', () => {
  test('disable and enable flip isEnabled and the info', () => {
    class A {}
    const r = new PluginRegistry().register('a', A);
    expect(r.disable('a').isEnabled('a')).toBe(false);
    expect(r.getPlugin('a')!.enabled).toBe(false);
    expect(r.has('a')).toBe(true);
    expect(r.enable('a').isEnabled('a')).toBe(true);
  });

  test.each(['enable', 'disable'] as const)('%s of an unknown name is MOP_UNKNOWN_PLUGIN', method => {
    const error = thrown(() => new PluginRegistry()[method]('ghost'));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_UNKNOWN_PLUGIN');
    expect(error.plugin).toBe('ghost');
  });
});

describe('registry.version', () => {
  test('bumps on every change and only on a change', () => {
    class A {}
    class B {}
    const r = new PluginRegistry();
    const v0 = r.version;
    r.register('a', A);
    expect(r.version).toBeGreaterThan(v0);
    const v1 = r.version;
    r.register('a', A); // no-op
    r.enable('a'); // already enabled
    expect(r.version).toBe(v1);
    r.disable('a');
    expect(r.version).toBeGreaterThan(v1);
    const v2 = r.version;
    r.disable('a'); // already disabled
    expect(r.version).toBe(v2);
    r.enable('a');
    expect(r.version).toBeGreaterThan(v2);
    const v3 = r.version;
    r.registerMany({ b: B });
    expect(r.version).toBeGreaterThan(v3);
  });
});

describe('@plugin', () => {
  test('with registry: r registers there and not in the default registry', () => {
    const r = new PluginRegistry();
    @plugin({ name: 'regTestScoped', registry: r })
    class Scoped {
      beforeCreate(): void {}
    }
    expect(r.getPlugin('regTestScoped')!.hooks).toEqual([{ event: 'beforeCreate', method: 'beforeCreate', priority: 0 }]);
    expect(defaultRegistry.has('regTestScoped')).toBe(false);
    expect(r.register(Scoped).list()).toHaveLength(1); // already there: no-op
  });

  test('with registry: false only records the metadata', () => {
    @plugin({ name: 'regTestUnregistered', registry: false })
    class Unregistered {}
    expect(defaultRegistry.has('regTestUnregistered')).toBe(false);
    expect(new PluginRegistry().register(Unregistered).has('regTestUnregistered')).toBe(true);
  });

  test('without a registry registers in the default registry', () => {
    @plugin('regTestDefault')
    class InDefault {}
    expect(defaultRegistry.has('regTestDefault')).toBe(true);
    expect(() => defaultRegistry.register(InDefault)).not.toThrow();
  });

  test('a second class with the same name in the same registry fails at decoration', () => {
    const r = new PluginRegistry();
    @plugin({ name: 'regTestTwice', registry: r })
    class First {}
    expectRegistrationError(() => {
      @plugin({ name: 'regTestTwice', registry: r })
      class Second {}
      return Second;
    }, 'MOP_PLUGIN_NAME_TAKEN');
    expect(r.list()).toHaveLength(1);
    expect(r.register(First).list()).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
// A running ORM follows the registry: no re-init needed.

const calls: string[] = [];

class Counter {
  @hook('beforeCreate')
  count(entity: { name: string }, ctx: HookContext): void {
    calls.push(`${ctx.plugin}:${entity.name}`);
  }
}

@Entity()
class RegCounted {
  static plugins = ['counter'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

async function createOne(orm: Awaited<ReturnType<typeof sqlite.init>>, name: string): Promise<void> {
  const em = orm.em.fork();
  em.create(RegCounted, { name });
  await em.flush();
}

describe('enable/disable on a running ORM', () => {
  test('a disabled plugin stops running on the next operation and runs again once enabled', async () => {
    calls.length = 0;
    const r = new PluginRegistry().register('counter', Counter);
    const orm = await sqlite.init({ entities: [RegCounted], extensions: [pluginSystem({ registry: r })] });
    try {
      await createOne(orm, 'first');
      expect(calls).toEqual(['counter:first']);

      r.disable('counter');
      expect(describeChain(orm, RegCounted, 'beforeCreate')).toEqual([]);
      await createOne(orm, 'second');
      expect(calls).toEqual(['counter:first']);

      r.enable('counter');
      expect(describeChain(orm, RegCounted, 'beforeCreate')).toEqual([{ plugin: 'counter', method: 'count', event: 'beforeCreate', kind: 'sequential', priority: 0 }]);
      await createOne(orm, 'third');
      expect(calls).toEqual(['counter:first', 'counter:third']);
      expect(await orm.em.fork().count(RegCounted)).toBe(3);
    } finally {
      await orm.close();
    }
  });

  test('a plugin disabled before start-up runs once it is enabled', async () => {
    calls.length = 0;
    const r = new PluginRegistry().register('counter', Counter).disable('counter');
    const orm = await sqlite.init({ entities: [RegCounted], extensions: [pluginSystem({ registry: r })] });
    try {
      await createOne(orm, 'off');
      expect(calls).toEqual([]);
      r.enable('counter');
      await createOne(orm, 'on');
      expect(calls).toEqual(['counter:on']);
    } finally {
      await orm.close();
    }
  });

  test('disabling a plugin within an open entity manager affects its next flush', async () => {
    calls.length = 0;
    const r = new PluginRegistry().register('counter', Counter);
    const orm = await sqlite.init({ entities: [RegCounted], extensions: [pluginSystem({ registry: r })] });
    try {
      const em = orm.em.fork();
      em.create(RegCounted, { name: 'a' });
      await em.flush();
      r.disable('counter');
      em.create(RegCounted, { name: 'b' });
      await em.flush();
      expect(calls).toEqual(['counter:a']);
    } finally {
      await orm.close();
    }
  });
});
