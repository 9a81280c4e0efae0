import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { EntityClass } from '@mikro-orm/core';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  HookOrderError,
  PluginConfigError,
  PluginError,
  PluginOptionsError,
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationPlugin,
  hook,
  plugin,
  pluginSystem,
  withPlugins,
  type PluginList,
} from '../src/index.js';
import { sqlite } from './support/databases.js';

// Every test starts an ORM on its own entity class whose static `plugins` names custom plugins
// (static lists are not type-checked against the plugin names, so unregistered names compile).

let entityCount = 0;

/** A fresh entity class named `name` (a table of its own) with these plugins in its static list. */
function entityWith(name: string, plugins: unknown): EntityClass<any> {
  const Target = { [name]: class { static plugins = plugins; } }[name]!;
  PrimaryKey({ type: 'integer' })(Target.prototype, 'id');
  Property({ type: 'string', nullable: true })(Target.prototype, 'title');
  Entity({ tableName: `boot_${++entityCount}` })(Target);
  return Target;
}

/** Starts an ORM that must fail; returns the error. Closes the ORM if it unexpectedly starts. */
async function initError(entities: EntityClass<any>[], registry: PluginRegistry, extra: { global?: PluginList } = {}): Promise<any> {
  let orm;
  try {
    orm = await sqlite.init({ entities, extensions: [pluginSystem({ registry, ...extra })] });
  } catch (error) {
    return error;
  }
  await orm.close();
  throw new Error('MikroORM.init succeeded but was expected to fail');
}

/** The same set-up with valid configuration starts: the failures below are caused by what each test changes. */
async function initOk(entities: EntityClass<any>[], registry: PluginRegistry): Promise<void> {
  const orm = await sqlite.init({ entities, extensions: [pluginSystem({ registry })] });
  await orm.close();
}

class Audit {
  @hook('afterCreate')
  record(): void {}
}

@plugin({ name: 'needsAudit', requires: ['audit'], registry: false })
class NeedsAudit {
  @hook('beforeCreate')
  check(): void {}
}

const cacheSchema = z.object({
  ttl: z.number().int().positive(),
  retry: z.object({ count: z.number().int().min(0) }).default({ count: 0 }),
});

@plugin({ name: 'cache', registry: false, options: { defaults: { ttl: 60 }, schema: cacheSchema } })
class Cache {
  afterLoad(): void {}
}

@plugin({
  name: 'mode',
  registry: false,
  options: {
    defaults: { mode: 'fast' },
    validate: (o: { mode: unknown }) => (o.mode === 'fast' || o.mode === 'safe' ? [] : [{ option: 'mode', expected: "'fast' or 'safe'" }]),
  },
})
class Mode {
  afterLoad(): void {}
}

function zodMessage(value: unknown): string {
  const result = cacheSchema.safeParse(value);
  if (result.success) throw new Error('expected the schema to fail');
  return result.error.issues[0]!.message;
}

describe('unknown plugin on an entity', () => {
  test('fails with PluginConfigError MOP_UNKNOWN_PLUGIN naming the entity and the plugin', async () => {
    const registry = new PluginRegistry().register('audit', Audit);
    await initOk([entityWith('BootKnown', ['audit'])], registry);
    const error = await initError([entityWith('BootUnknown', ['audit', 'nope'])], registry);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_UNKNOWN_PLUGIN');
    expect(error.entity).toBe('BootUnknown');
    expect(error.plugin).toBe('nope');
    expect(error.message).toContain("'BootUnknown'");
    expect(error.message).toContain("'nope'");
  });

  test('a global plugin that is not registered fails the same way', async () => {
    const error = await initError([entityWith('BootGlobalUnknown', [])], new PluginRegistry(), {
      global: ['noSuchGlobal'] as unknown as PluginList,
    });
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_UNKNOWN_PLUGIN');
    expect(error.plugin).toBe('noSuchGlobal');
  });

  test('an entry that is neither a name nor an object fails naming the entity', async () => {
    const error = await initError([entityWith('BootBadEntry', [42])], new PluginRegistry());
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_UNKNOWN_PLUGIN');
    expect(error.entity).toBe('BootBadEntry');
    expect(error.message).toContain('42');
  });

  test('a plugin disabled in the registry is still known: no error', async () => {
    const registry = new PluginRegistry().register('audit', Audit).disable('audit');
    await initOk([entityWith('BootDisabled', ['audit'])], registry);
  });
});

describe('missing dependency', () => {
  test('fails with MOP_MISSING_DEPENDENCY naming the entity, the plugin and what it requires', async () => {
    const error = await initError([entityWith('BootDependent', ['needsAudit'])], new PluginRegistry().register(NeedsAudit));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_MISSING_DEPENDENCY');
    expect(error.entity).toBe('BootDependent');
    expect(error.plugin).toBe('needsAudit');
    expect(error.message).toContain("'audit'");
  });

  test('registering the required plugin is enough: it need not be attached to the entity', async () => {
    await initOk([entityWith('BootDependentOk', ['needsAudit'])], new PluginRegistry().register(NeedsAudit).register('audit', Audit));
  });
});

describe('invalid options: Standard Schema (zod)', () => {
  test('a top-level option names the option and carries the zod message as expected', async () => {
    const registry = new PluginRegistry().register(Cache);
    await initOk([entityWith('BootCacheOk', [{ cache: { ttl: 5 } }])], registry);
    const error = await initError([entityWith('BootCacheTtl', [{ cache: { ttl: -1 } }])], registry);
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error.code).toBe('MOP_INVALID_OPTIONS');
    expect(error.entity).toBe('BootCacheTtl');
    expect(error.plugin).toBe('cache');
    expect(error.option).toBe('ttl');
    expect(error.expected).toBe(zodMessage({ ttl: -1 }));
    expect(error.message).toContain("Entity 'BootCacheTtl', plugin 'cache': option 'ttl' is invalid");
    expect(error.message).toContain(error.expected);
    expect(error.message).toContain('received -1');
  });

  test('a nested option is named by its dotted path', async () => {
    const error = await initError([entityWith('BootCacheRetry', [{ cache: { retry: { count: 'three' } } }])], new PluginRegistry().register(Cache));
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error.option).toBe('retry.count');
    expect(error.expected).toBe(zodMessage({ ttl: 60, retry: { count: 'three' } }));
    expect(error.message).toContain('received "three"');
  });

  test('defaults are applied before the schema runs: `true` passes although ttl is required', async () => {
    await initOk([entityWith('BootCacheDefaults', ['cache'])], new PluginRegistry().register(Cache));
  });
});

describe('invalid options: validate function', () => {
  test('names the option and the expected value the function reported', async () => {
    const registry = new PluginRegistry().register(Mode);
    await initOk([entityWith('BootModeOk', [{ mode: { mode: 'safe' } }])], registry);
    const error = await initError([entityWith('BootModeBad', [{ mode: { mode: 'slow' } }])], registry);
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error.code).toBe('MOP_INVALID_OPTIONS');
    expect(error.entity).toBe('BootModeBad');
    expect(error.plugin).toBe('mode');
    expect(error.option).toBe('mode');
    expect(error.expected).toBe("'fast' or 'safe'");
    expect(error.message).toBe(
      `[MOP_INVALID_OPTIONS] Entity 'BootModeBad', plugin 'mode': option 'mode' is invalid: expected 'fast' or 'safe', received "slow"`,
    );
  });
});

describe('options that are not an object', () => {
  test.each([
    ['a string', 'fast', '"fast"'],
    ['a number', 3, '3'],
    ['an array', [1, 2], '[1,2]'],
    ['null', null, 'null'],
  ])('%s is rejected as a whole', async (_what, value, shown) => {
    const error = await initError([entityWith('BootNotObject', [{ mode: value }])], new PluginRegistry().register(Mode));
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error.code).toBe('MOP_INVALID_OPTIONS');
    expect(error.entity).toBe('BootNotObject');
    expect(error.plugin).toBe('mode');
    expect(error.option).toBe('');
    expect(error.expected).toBe('an options object or true');
    expect(error.message).toContain(`options is invalid: expected an options object or true, received ${shown}`);
  });

  test('`false` opts out instead of failing', async () => {
    await initOk([entityWith('BootOptOut', [{ mode: false }])], new PluginRegistry().register(Mode));
  });
});

describe('hook order constraints', () => {
  test('a two-plugin cycle fails with HookOrderError MOP_HOOK_CYCLE naming the cycle', async () => {
    class A {
      @hook('beforeCreate', { before: ['b'] })
      first(): void {}
    }
    class B {
      @hook('beforeCreate', { before: ['a'] })
      second(): void {}
    }
    const error = await initError([entityWith('BootCycle', ['a', 'b'])], new PluginRegistry().registerMany({ a: A, b: B }));
    expect(error).toBeInstanceOf(HookOrderError);
    expect(error.code).toBe('MOP_HOOK_CYCLE');
    expect(error.entity).toBe('BootCycle');
    expect(error.hook).toBe('beforeCreate');
    expect(error.cycle).toEqual(['a', 'b', 'a']);
    expect(error.message).toContain("Entity 'BootCycle', event 'beforeCreate'");
    expect(error.message).toContain('a -> b -> a');
  });

  test('a three-plugin cycle mixing plugin-level and hook-level constraints is found', async () => {
    @plugin({ name: 'x', before: ['y'], registry: false })
    class X {
      afterUpdate(): void {}
    }
    @plugin({ name: 'y', registry: false })
    class Y {
      @hook('afterSave', { before: ['z'] })
      touch(): void {}
    }
    @plugin({ name: 'z', registry: false })
    class Z {
      @hook('afterUpdate', { before: ['x'] })
      log(): void {}
    }
    const registry = new PluginRegistry().registerMany([X, Y, Z]);
    const error = await initError([entityWith('BootCycle3', ['x', 'y', 'z'])], registry);
    expect(error).toBeInstanceOf(HookOrderError);
    expect(error.hook).toBe('afterUpdate');
    expect(error.cycle).toEqual(['x', 'y', 'z', 'x']);
    expect(error.message).toContain('x -> y -> z -> x');
  });

  test('the same constraints without the closing edge start', async () => {
    class A {
      @hook('beforeCreate', { before: ['b'] })
      first(): void {}
    }
    class B {
      @hook('beforeCreate')
      second(): void {}
    }
    await initOk([entityWith('BootNoCycle', ['a', 'b'])], new PluginRegistry().registerMany({ a: A, b: B }));
  });

  test('a constraint naming an unregistered plugin fails with MOP_UNKNOWN_PLUGIN naming the hook and the name', async () => {
    class Late {
      @hook('afterCreate', { after: ['ghost'] })
      follow(): void {}
    }
    const error = await initError([entityWith('BootGhost', ['late'])], new PluginRegistry().register('late', Late));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_UNKNOWN_PLUGIN');
    expect(error.entity).toBe('BootGhost');
    expect(error.plugin).toBe('late');
    expect(error.hook).toBe('follow');
    expect(error.message).toContain("'ghost'");
  });

  test('a plugin-level constraint naming an unregistered plugin fails too', async () => {
    @plugin({ name: 'early', before: ['phantom'], registry: false })
    class Early {
      beforeCreate(): void {}
    }
    const error = await initError([entityWith('BootPhantom', ['early'])], new PluginRegistry().register(Early));
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error.code).toBe('MOP_UNKNOWN_PLUGIN');
    expect(error.plugin).toBe('early');
    expect(error.message).toContain("'phantom'");
  });

  test('a constraint naming a registered plugin that the entity does not use is fine', async () => {
    class Late {
      @hook('afterCreate', { after: ['audit'] })
      follow(): void {}
    }
    await initOk([entityWith('BootUnattached', ['late'])], new PluginRegistry().register('late', Late).register('audit', Audit));
  });
});

describe('built-in plugins validate their options', () => {
  const builtIns = () => new PluginRegistry().registerMany([TimestampPlugin, SoftDeletePlugin, ValidationPlugin]);

  test.each([
    ['softDelete', { softDelete: { field: '' } }, 'field', 'a property name'],
    ['softDelete', { softDelete: { field: 3 } }, 'field', 'a property name'],
    ['timestamp', { timestamp: { createdAt: '1st' } }, 'createdAt', 'a property name, or false'],
    ['timestamp', { timestamp: { updatedAt: 'updated at' } }, 'updatedAt', 'a property name, or false'],
    ['validation', { validation: {} }, '', "a 'schema' or a 'validate' function"],
    ['validation', { validation: true }, '', "a 'schema' or a 'validate' function"],
    ['validation', { validation: { schema: { parse() {} } } }, 'schema', 'a Standard Schema'],
    ['validation', { validation: { validate: 'yes' } }, 'validate', 'a function'],
  ])('%s with %j fails on option %j', async (name, setting, option, expected) => {
    const error = await initError([entityWith('BootBuiltIn', [setting])], builtIns());
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error.code).toBe('MOP_INVALID_OPTIONS');
    expect(error.entity).toBe('BootBuiltIn');
    expect(error.plugin).toBe(name);
    expect(error.option).toBe(option);
    expect(error.expected).toBe(expected);
  });

  test('the built-ins start with valid options', async () => {
    await initOk(
      [entityWith('BootBuiltInOk', ['timestamp', { softDelete: { field: 'removedAt' } }, { validation: { schema: z.object({}) } }])],
      builtIns(),
    );
  });

  test('a typed @withPlugins list fails through the default registry as well', async () => {
    @withPlugins([{ softDelete: { field: '' } }])
    @Entity()
    class BootTypedList {
      @PrimaryKey({ type: 'integer' }) id!: number;
    }
    let error: any;
    try {
      const orm = await sqlite.init({ entities: [BootTypedList], extensions: [pluginSystem()] });
      await orm.close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginOptionsError);
    expect(error.entity).toBe('BootTypedList');
    expect(error.plugin).toBe('softDelete');
    expect(error.option).toBe('field');
    expect(error.expected).toBe('a property name');
  });
});

test('every start-up error is a PluginError with a stable code', async () => {
  const error = await initError([entityWith('BootBase', ['nope'])], new PluginRegistry());
  expect(error).toBeInstanceOf(PluginError);
  expect(error).toBeInstanceOf(Error);
  expect(error.message.startsWith(`[${error.code}] `)).toBe(true);
});
