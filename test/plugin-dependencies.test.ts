// `requires` with semver ranges and `conflicts`, checked when an ORM starts, for the plugins that ORM uses.
import type { EntityClass } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import { hook, plugin, PluginConfigError, PluginDependencyError, PluginRegistrationError, PluginRegistry, pluginSystem, type PluginClass, type PluginMeta, type PluginProvider } from '../src/index.js';
import { sqlite } from './support/databases.js';

let entityCount = 0;

/** A fresh entity class with these plugins in its static list. */
function entityWith(name: string, plugins: readonly string[]): EntityClass<any> {
  const Target = { [name]: class { static plugins = plugins; } }[name]!;
  PrimaryKey({ type: 'integer' })(Target.prototype, 'id');
  Property({ type: 'string', nullable: true })(Target.prototype, 'title');
  Entity({ tableName: `dep_${++entityCount}` })(Target);
  return Target;
}

/** A plugin class with one hook, described by `meta`. */
function pluginClass(meta: PluginMeta): PluginClass {
  @plugin({ ...meta, registry: false })
  class Dependent {
    @hook('beforeCreate')
    touch(): void {}
  }
  return Dependent;
}

function registryOf(...metas: PluginMeta[]): PluginRegistry {
  return new PluginRegistry().registerMany(metas.map(pluginClass));
}

async function starts(entities: EntityClass<any>[], registry: PluginRegistry, plugins?: readonly PluginProvider[]): Promise<void> {
  const orm = await sqlite.init({ entities, extensions: [pluginSystem({ registry, plugins })] });
  await orm.close();
}

async function startError(entities: EntityClass<any>[], registry: PluginRegistry, plugins?: readonly PluginProvider[]): Promise<any> {
  try {
    await starts(entities, registry, plugins);
  } catch (error) {
    return error;
  }
  throw new Error('MikroORM.init succeeded but was expected to fail');
}

describe('requires with version ranges', () => {
  test('a registered plugin in the range starts', async () => {
    await starts([entityWith('DepInRange', ['depReport'])], registryOf({ name: 'depAudit', version: '1.4.0' }, { name: 'depReport', requires: { depAudit: '^1.2' } }));
  });

  test('a registered plugin outside the range fails with MOP_DEPENDENCY_VERSION naming both plugins, the range and the version', async () => {
    const registry = registryOf({ name: 'depAudit', version: '2.0.0' }, { name: 'depReport', requires: { depAudit: '^1.2' } });
    const error = await startError([entityWith('DepOutOfRange', ['depReport'])], registry);
    expect(error).toBeInstanceOf(PluginDependencyError);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'MOP_DEPENDENCY_VERSION', plugin: 'depReport', dependency: 'depAudit', range: '^1.2', entity: 'DepOutOfRange' });
    expect(error.message).toContain("'depReport'");
    expect(error.message).toContain("'depAudit' ^1.2");
    expect(error.message).toContain('2.0.0');
  });

  test('a missing plugin fails with MOP_MISSING_DEPENDENCY naming both plugins and the range', async () => {
    const error = await startError([entityWith('DepMissing', ['depReport'])], registryOf({ name: 'depReport', requires: { depAudit: '>=1.2 <3' } }));
    expect(error).toMatchObject({ code: 'MOP_MISSING_DEPENDENCY', plugin: 'depReport', dependency: 'depAudit', range: '>=1.2 <3' });
    expect(error.message).toContain("'depAudit' >=1.2 <3");
  });

  test('a prerelease inside the range counts', async () => {
    await starts([entityWith('DepPre', ['depReport'])], registryOf({ name: 'depAudit', version: '1.5.0-beta.1' }, { name: 'depReport', requires: { depAudit: '^1.2' } }));
  });

  test('requirements are followed: what a required plugin requires is checked too', async () => {
    const registry = registryOf({ name: 'depBase', version: '1.0.0' }, { name: 'depMiddle', requires: { depBase: '^2' } }, { name: 'depTop', requires: ['depMiddle'] });
    const error = await startError([entityWith('DepChain', ['depTop'])], registry);
    expect(error).toMatchObject({ code: 'MOP_DEPENDENCY_VERSION', plugin: 'depMiddle', dependency: 'depBase', range: '^2' });
  });

  test('a plugin registered but used by no entity is not checked', async () => {
    const registry = registryOf({ name: 'depUnused', requires: { depNowhere: '^1' } }, { name: 'depUsed' });
    await starts([entityWith('DepUnusedOk', ['depUsed'])], registry);
  });

  test('a plugin given in pluginSystem({ plugins }) is checked even when no entity uses it', async () => {
    const registry = new PluginRegistry();
    const error = await startError([entityWith('DepListed', [])], registry, [pluginClass({ name: 'depListed', requires: ['depNowhere'] })]);
    expect(error).toMatchObject({ code: 'MOP_MISSING_DEPENDENCY', plugin: 'depListed', dependency: 'depNowhere', range: '*' });
  });
});

describe('conflicts', () => {
  test('two conflicting plugins used by one ORM fail with MOP_PLUGIN_CONFLICT naming both, on different entities too', async () => {
    const registry = registryOf({ name: 'depCacheA', conflicts: ['depCacheB'] }, { name: 'depCacheB', version: '3.1.0' });
    const error = await startError([entityWith('DepFirst', ['depCacheA']), entityWith('DepSecond', ['depCacheB'])], registry);
    expect(error).toBeInstanceOf(PluginDependencyError);
    expect(error).toMatchObject({ code: 'MOP_PLUGIN_CONFLICT', plugin: 'depCacheA', dependency: 'depCacheB', range: '*' });
    expect(error.message).toContain("'depCacheA' conflicts with plugin 'depCacheB'");
    expect(error.message).toContain('3.1.0');
  });

  test('the conflict is found whichever of the two joins first', async () => {
    const registry = registryOf({ name: 'depCacheA', conflicts: ['depCacheB'] }, { name: 'depCacheB' });
    const error = await startError([entityWith('DepReversed', ['depCacheB', 'depCacheA'])], registry);
    expect(error).toMatchObject({ code: 'MOP_PLUGIN_CONFLICT', plugin: 'depCacheA', dependency: 'depCacheB' });
  });

  test('a range limits the conflict to those versions', async () => {
    const metas = (version: string) => registryOf({ name: 'depNew', conflicts: { depOld: '<2' } }, { name: 'depOld', version });
    await starts([entityWith('DepNewOk', ['depNew', 'depOld'])], metas('2.0.0'));
    const error = await startError([entityWith('DepNewBad', ['depNew', 'depOld'])], metas('1.9.0'));
    expect(error).toMatchObject({ code: 'MOP_PLUGIN_CONFLICT', plugin: 'depNew', dependency: 'depOld', range: '<2' });
    expect(error.message).toContain("'depOld' <2");
  });

  test('a conflicting plugin that is only registered does not fail the ORM', async () => {
    await starts([entityWith('DepAlone', ['depCacheA'])], registryOf({ name: 'depCacheA', conflicts: ['depCacheB'] }, { name: 'depCacheB' }));
  });

  test('a conflict reached through requires counts', async () => {
    const registry = registryOf({ name: 'depLegacy' }, { name: 'depModern', conflicts: ['depLegacy'] }, { name: 'depApp', requires: ['depModern'] });
    const error = await startError([entityWith('DepOne', ['depLegacy']), entityWith('DepTwo', ['depApp'])], registry);
    expect(error).toMatchObject({ code: 'MOP_PLUGIN_CONFLICT', plugin: 'depModern', dependency: 'depLegacy' });
  });
});

describe('malformed declarations fail at registration', () => {
  test.each([
    ['a range that does not parse', { name: 'depBadRange', requires: { depAudit: 'one point two' } }, /range "one point two"/],
    ['a range that is not a string', { name: 'depNumberRange', requires: { depAudit: 1 } as never }, /range 1/],
    ['a version that is not semver', { name: 'depBadVersion', version: 'v-one' }, /version "v-one"/],
    ['a conflict with itself', { name: 'depSelf', conflicts: ['depSelf'] }, /names the plugin itself/],
    ['conflicts that are neither a list nor an object', { name: 'depString', conflicts: 'depAudit' as never }, /'conflicts' must be/],
  ])('%s is MOP_INVALID_PLUGIN', (_title, meta, message) => {
    let error: any;
    try {
      new PluginRegistry().register(pluginClass(meta as PluginMeta));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_INVALID_PLUGIN', plugin: meta.name });
    expect(error.message).toMatch(message);
  });

  test('types: requires and conflicts take names or { name: range }', () => {
    const good: PluginMeta[] = [{ name: 'a', requires: ['b'], conflicts: { c: '<2' } }, { name: 'd', requires: { b: '^1.2' }, conflicts: ['c'] }];
    // @ts-expect-error a range is a string
    const numberRange: PluginMeta = { name: 'a', requires: { b: 1 } };
    // @ts-expect-error conflicts is a list or a record, not one name
    const oneName: PluginMeta = { name: 'a', conflicts: 'b' };
    expect([good, numberRange, oneName]).toHaveLength(3);
  });
});
