import { defineEntity, EntitySchema, p } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import type { HookContext } from '../src/events.js';
import {
  describeChain,
  hook,
  plugin,
  pluginOptions,
  pluginSystem,
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  usePlugins,
  ValidationPlugin,
  withPlugins,
  type ChainEventName,
  type PluginList,
  type PluginSystemOptions,
} from '../src/index.js';
import { describeEachDatabase, sqlite, type Database, type TestOptions, type TestOrm } from './support/databases.js';

// ---------------------------------------------------------------------------------------------
// A probe plugin: its hooks record which entity they ran for and the options they received.
// ---------------------------------------------------------------------------------------------

interface ProbeOptions {
  label: string;
  weight: number;
  note?: string;
}

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    cfgProbe: Partial<ProbeOptions>;
    cfgExtra: Record<string, never>;
  }
}

interface ProbeRecord {
  entity: string;
  event: string;
  plugin: string;
  options: ProbeOptions;
}

const probeLog: ProbeRecord[] = [];

function record(ctx: HookContext<ProbeOptions>): void {
  probeLog.push({ entity: ctx.meta.className, event: ctx.event, plugin: ctx.plugin, options: ctx.options });
}

function newRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });

  @plugin({ name: 'cfgProbe', registry, options: { defaults: { label: 'default', weight: 1 } } })
  class CfgProbePlugin {
    @hook('beforeCreate')
    probeCreate(_entity: object, ctx: HookContext<ProbeOptions>): void {
      record(ctx);
    }

    @hook('beforeUpdate')
    probeUpdate(_entity: object, ctx: HookContext<ProbeOptions>): void {
      record(ctx);
    }
  }

  @plugin({ name: 'cfgExtra', registry })
  class CfgExtraPlugin {
    @hook('beforeCreate', { priority: 50 })
    extraCreate(_entity: object, ctx: HookContext): void {
      record(ctx);
    }
  }

  void CfgProbePlugin;
  void CfgExtraPlugin;
  return registry;
}

async function withOrm(db: Database, options: TestOptions, fn: (orm: TestOrm) => Promise<void>): Promise<void> {
  const orm = await db.init(options);
  try {
    await fn(orm);
  } finally {
    await orm.close();
  }
}

function chainOf(orm: TestOrm, entity: Parameters<typeof describeChain>[1], event: ChainEventName): string[] {
  return describeChain(orm, entity, event).map(h => `${h.plugin}.${h.method}@${h.event}`);
}

function probeRecords(entity: string, event = 'beforeCreate'): ProbeRecord[] {
  return probeLog.filter(r => r.entity === entity && r.event === event);
}

// ---------------------------------------------------------------------------------------------
// One entity per configuration form, all meaning: timestamp with defaults, cfgProbe { label: 'x' }.
// ---------------------------------------------------------------------------------------------

@withPlugins(['timestamp', 'cfgProbe'])
@Entity()
class CfgNames {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@withPlugins({ timestamp: true, cfgProbe: { label: 'x' } })
@Entity()
class CfgOptionsObject {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@withPlugins([{ timestamp: true }, { cfgProbe: { label: 'x' } }])
@Entity()
class CfgOptionsArray {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@withPlugins(['timestamp', { cfgProbe: { label: 'x' } }])
@Entity()
class CfgMixed {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class CfgStatic {
  static plugins: PluginList = ['timestamp', { cfgProbe: { label: 'x' } }];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const CfgDefined = usePlugins(
  defineEntity({
    name: 'CfgDefined',
    properties: {
      id: p.integer().primary(),
      name: p.string(),
    },
  }),
  ['timestamp', { cfgProbe: { label: 'x' } }],
);

class CfgSchemaClass {
  id!: number;
  name!: string;
}

const CfgSchema = usePlugins(
  new EntitySchema<CfgSchemaClass>({
    class: CfgSchemaClass,
    properties: {
      id: { type: 'integer', primary: true },
      name: { type: 'string' },
    },
  }),
  ['timestamp', { cfgProbe: { label: 'x' } }],
);

@Entity()
class CfgByConfig {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const formEntities = [CfgNames, CfgOptionsObject, CfgOptionsArray, CfgMixed, CfgStatic, CfgDefined, CfgSchema, CfgByConfig];

const forms = [
  { form: '@withPlugins names', entity: CfgNames, name: 'CfgNames', label: 'default' },
  { form: '@withPlugins options object', entity: CfgOptionsObject, name: 'CfgOptionsObject', label: 'x' },
  { form: '@withPlugins array of option objects', entity: CfgOptionsArray, name: 'CfgOptionsArray', label: 'x' },
  { form: '@withPlugins mixed names and options', entity: CfgMixed, name: 'CfgMixed', label: 'x' },
  { form: 'static plugins property', entity: CfgStatic, name: 'CfgStatic', label: 'x' },
  { form: 'usePlugins(defineEntity(...))', entity: CfgDefined, name: 'CfgDefined', label: 'x' },
  { form: 'usePlugins(new EntitySchema({ class }))', entity: CfgSchema, name: 'CfgSchemaClass', label: 'x' },
  { form: 'pluginSystem({ entities })', entity: CfgByConfig, name: 'CfgByConfig', label: 'x' },
] as const;

function formsOptions(registry: PluginRegistry): TestOptions {
  return {
    entities: formEntities,
    extensions: [pluginSystem({ registry, entities: { CfgByConfig: ['timestamp', { cfgProbe: { label: 'x' } }] } })],
  };
}

const expectedCreateChain = ['timestamp.stampCreate@beforeCreate', 'cfgProbe.probeCreate@beforeCreate'];
const expectedUpdateChain = ['timestamp.stampUpdate@beforeUpdate', 'cfgProbe.probeUpdate@beforeUpdate'];

describe('entity configuration forms', () => {
  test.each(forms)('$form attaches timestamp and cfgProbe in the same chains', async ({ entity }) => {
    await withOrm(sqlite, formsOptions(newRegistry()), async orm => {
      expect(chainOf(orm, entity, 'beforeCreate')).toEqual(expectedCreateChain);
      expect(chainOf(orm, entity, 'beforeUpdate')).toEqual(expectedUpdateChain);
      expect(chainOf(orm, entity, 'afterCreate')).toEqual([]);
      expect(chainOf(orm, entity, 'beforeDelete')).toEqual([]);
    });
  });

  test('every form yields the identical describeChain output', async () => {
    await withOrm(sqlite, formsOptions(newRegistry()), async orm => {
      const events: ChainEventName[] = ['beforeCreate', 'beforeUpdate', 'afterUpdate', 'afterLoad', 'afterChange'];
      const reference = events.map(event => describeChain(orm, CfgNames, event));
      for (const { entity } of forms) {
        expect(events.map(event => describeChain(orm, entity, event))).toEqual(reference);
      }
    });
  });

  test.each(forms)('$form passes its options to hooks, with defaults applied', async ({ entity, name, label }) => {
    await withOrm(sqlite, formsOptions(newRegistry()), async orm => {
      const expected = { label, weight: 1 };
      expect(pluginOptions(orm.em, entity, 'cfgProbe')).toEqual(expected);
      expect(pluginOptions(orm.em, entity, 'timestamp')).toEqual({ createdAt: 'createdAt', updatedAt: 'updatedAt' });
      probeLog.length = 0;
      const em = orm.em.fork();
      em.create(entity as never, { name: 'a' } as never);
      await em.flush();
      expect(probeRecords(name)).toEqual([{ entity: name, event: 'beforeCreate', plugin: 'cfgProbe', options: expected }]);
    });
  });
});

describeEachDatabase('entity configuration forms', db => {
  test('every form stamps createdAt and updatedAt and persists them', async () => {
    await withOrm(db, formsOptions(newRegistry()), async orm => {
      const em = orm.em.fork();
      for (const { entity } of forms) em.create(entity as never, { name: 'a' } as never);
      await em.flush();
      for (const { entity, name } of forms) {
        const [row] = await orm.em.fork().find(entity as never, {});
        expect(row, name).toMatchObject({ name: 'a', createdAt: expect.any(Date), updatedAt: expect.any(Date) });
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Global plugins and opting out.
// ---------------------------------------------------------------------------------------------

@Entity()
class CfgGlobalPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@withPlugins(['cfgExtra'])
@Entity()
class CfgGlobalWithOwn {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@withPlugins([{ timestamp: false }])
@Entity()
class CfgGlobalOptOut {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class CfgGlobalConfigOptOut {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

describeEachDatabase('global plugins', db => {
  const options = (): TestOptions => ({
    entities: [CfgGlobalPlain, CfgGlobalWithOwn, CfgGlobalOptOut, CfgGlobalConfigOptOut],
    extensions: [pluginSystem({ registry: newRegistry(), global: ['timestamp'], entities: { CfgGlobalConfigOptOut: { timestamp: false } } })],
  });

  test('a global plugin applies to every entity, before the entity’s own plugins', async () => {
    await withOrm(db, options(), async orm => {
      expect(chainOf(orm, CfgGlobalPlain, 'beforeCreate')).toEqual(['timestamp.stampCreate@beforeCreate']);
      expect(chainOf(orm, CfgGlobalWithOwn, 'beforeCreate')).toEqual(['timestamp.stampCreate@beforeCreate', 'cfgExtra.extraCreate@beforeCreate']);
      const em = orm.em.fork();
      em.create(CfgGlobalPlain, { name: 'a' });
      em.create(CfgGlobalWithOwn, { name: 'b' });
      await em.flush();
      const read = orm.em.fork();
      expect(await read.findOneOrFail(CfgGlobalPlain, { name: 'a' })).toMatchObject({ createdAt: expect.any(Date) });
      expect(await read.findOneOrFail(CfgGlobalWithOwn, { name: 'b' })).toMatchObject({ createdAt: expect.any(Date) });
    });
  });

  test('an entity opts out of a global plugin with { timestamp: false }, in its class or in the config', async () => {
    await withOrm(db, options(), async orm => {
      for (const entity of [CfgGlobalOptOut, CfgGlobalConfigOptOut]) {
        expect(chainOf(orm, entity, 'beforeCreate')).toEqual([]);
        expect(pluginOptions(orm.em, entity, 'timestamp')).toBeUndefined();
        // The plugin's columns are not added either.
        expect(orm.getMetadata().get(entity).properties).not.toHaveProperty('createdAt');
      }
      const em = orm.em.fork();
      em.create(CfgGlobalOptOut, { name: 'a' });
      em.create(CfgGlobalConfigOptOut, { name: 'b' });
      await em.flush();
      const [row] = await orm.em.fork().getConnection().execute<Record<string, unknown>[]>('select * from cfg_global_opt_out');
      expect(Object.keys(row!).sort()).toEqual(['id', 'name']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Inheritance: abstract TestOrm base entity, plain base class, single table inheritance.
// ---------------------------------------------------------------------------------------------

@withPlugins(['timestamp', { cfgProbe: { label: 'base', note: 'from base' } }])
@Entity({ abstract: true })
abstract class CfgAbstractBase {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class CfgInheritsAll extends CfgAbstractBase {}

@withPlugins([{ cfgProbe: { label: 'child' } }, 'cfgExtra'])
@Entity()
class CfgOverridesOption extends CfgAbstractBase {}

@withPlugins([{ timestamp: false }])
@Entity()
class CfgDropsInherited extends CfgAbstractBase {}

@withPlugins([{ cfgProbe: { weight: 7 } }])
class CfgPlainBase {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class CfgFromPlainBase extends CfgPlainBase {}

@Entity()
class CfgStaticFromPlainBase extends CfgPlainBase {
  static plugins: PluginList = [{ cfgProbe: { label: 'static child' } }];
}

describe('inherited plugins', () => {
  const options = (extra: Partial<PluginSystemOptions> = {}): TestOptions => ({
    entities: [CfgAbstractBase, CfgInheritsAll, CfgOverridesOption, CfgDropsInherited, CfgPlainBase, CfgFromPlainBase, CfgStaticFromPlainBase],
    extensions: [pluginSystem({ registry: newRegistry(), ...extra })],
  });

  test('a subclass of an abstract base entity gets the base’s plugins and options', async () => {
    await withOrm(sqlite, options(), async orm => {
      expect(chainOf(orm, CfgInheritsAll, 'beforeCreate')).toEqual(expectedCreateChain);
      expect(pluginOptions(orm.em, CfgInheritsAll, 'cfgProbe')).toEqual({ label: 'base', weight: 1, note: 'from base' });
      probeLog.length = 0;
      const em = orm.em.fork();
      const entity = em.create(CfgInheritsAll, { name: 'a' });
      await em.flush();
      expect((entity as unknown as { createdAt: unknown }).createdAt).toBeInstanceOf(Date);
      expect(probeRecords('CfgInheritsAll').map(r => r.options)).toEqual([{ label: 'base', weight: 1, note: 'from base' }]);
    });
  });

  test('a subclass adds a plugin and overrides one option; the other options stay inherited', async () => {
    await withOrm(sqlite, options(), async orm => {
      expect(chainOf(orm, CfgOverridesOption, 'beforeCreate')).toEqual([...expectedCreateChain, 'cfgExtra.extraCreate@beforeCreate']);
      expect(chainOf(orm, CfgInheritsAll, 'beforeCreate')).toEqual(expectedCreateChain);
      probeLog.length = 0;
      const em = orm.em.fork();
      em.create(CfgOverridesOption, { name: 'a' });
      await em.flush();
      expect(probeRecords('CfgOverridesOption').map(r => [r.plugin, r.options])).toEqual([
        ['cfgProbe', { label: 'child', weight: 1, note: 'from base' }],
        ['cfgExtra', {}],
      ]);
    });
  });

  test('a subclass opts out of an inherited plugin', async () => {
    await withOrm(sqlite, options(), async orm => {
      expect(chainOf(orm, CfgDropsInherited, 'beforeCreate')).toEqual(['cfgProbe.probeCreate@beforeCreate']);
      expect(pluginOptions(orm.em, CfgDropsInherited, 'timestamp')).toBeUndefined();
      expect(orm.getMetadata().get(CfgDropsInherited).properties).not.toHaveProperty('createdAt');
    });
  });

  test('a plain (non-entity) base class passes its plugins on; @withPlugins and static plugins combine', async () => {
    await withOrm(sqlite, options(), async orm => {
      expect(chainOf(orm, CfgFromPlainBase, 'beforeCreate')).toEqual(['cfgProbe.probeCreate@beforeCreate']);
      expect(pluginOptions(orm.em, CfgFromPlainBase, 'cfgProbe')).toEqual({ label: 'default', weight: 7 });
      expect(pluginOptions(orm.em, CfgStaticFromPlainBase, 'cfgProbe')).toEqual({ label: 'static child', weight: 7 });
      probeLog.length = 0;
      const em = orm.em.fork();
      em.create(CfgFromPlainBase, { name: 'a' });
      em.create(CfgStaticFromPlainBase, { name: 'b' });
      await em.flush();
      expect(probeRecords('CfgFromPlainBase').map(r => r.options)).toEqual([{ label: 'default', weight: 7 }]);
      expect(probeRecords('CfgStaticFromPlainBase').map(r => r.options)).toEqual([{ label: 'static child', weight: 7 }]);
    });
  });

  test('merge order is global, base class, subclass, then pluginSystem({ entities })', async () => {
    const extra: Partial<PluginSystemOptions> = {
      global: [{ cfgProbe: { label: 'global', weight: 2, note: 'global' } }],
      entities: { CfgOverridesOption: { cfgProbe: { weight: 3 } } },
    };
    await withOrm(sqlite, options(extra), async orm => {
      // global note is overridden by the base, label by the subclass, weight by the config.
      expect(pluginOptions(orm.em, CfgOverridesOption, 'cfgProbe')).toEqual({ label: 'child', weight: 3, note: 'from base' });
      expect(pluginOptions(orm.em, CfgInheritsAll, 'cfgProbe')).toEqual({ label: 'base', weight: 2, note: 'from base' });
      expect(pluginOptions(orm.em, CfgFromPlainBase, 'cfgProbe')).toEqual({ label: 'global', weight: 7, note: 'global' });
    });
  });
});

// Single table inheritance: the root names the plugins, a child adds options of its own.
@withPlugins(['timestamp', { cfgProbe: { label: 'root' } }])
@Entity({ discriminatorColumn: 'kind', discriminatorMap: { car: 'CfgStiCar', bike: 'CfgStiBike' } })
class CfgStiVehicle {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) kind!: string;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class CfgStiCar extends CfgStiVehicle {
  @Property({ type: 'integer', nullable: true }) doors?: number;
}

@withPlugins([{ cfgProbe: { label: 'bike', weight: 2 } }])
@Entity()
class CfgStiBike extends CfgStiVehicle {
  @Property({ type: 'boolean', nullable: true }) electric?: boolean;
}

describeEachDatabase('single table inheritance', db => {
  test('STI children inherit the root’s plugins and may override options', async () => {
    const options: TestOptions = { entities: [CfgStiVehicle, CfgStiCar, CfgStiBike], extensions: [pluginSystem({ registry: newRegistry() })] };
    await withOrm(db, options, async orm => {
      expect(chainOf(orm, CfgStiCar, 'beforeCreate')).toEqual(expectedCreateChain);
      expect(chainOf(orm, CfgStiBike, 'beforeCreate')).toEqual(expectedCreateChain);
      expect(pluginOptions(orm.em, CfgStiCar, 'cfgProbe')).toEqual({ label: 'root', weight: 1 });
      expect(pluginOptions(orm.em, CfgStiBike, 'cfgProbe')).toEqual({ label: 'bike', weight: 2 });
      probeLog.length = 0;
      const em = orm.em.fork();
      em.create(CfgStiCar, { name: 'car', doors: 4 } as never);
      em.create(CfgStiBike, { name: 'bike', electric: true } as never);
      await em.flush();
      expect(probeRecords('CfgStiCar').map(r => r.options)).toEqual([{ label: 'root', weight: 1 }]);
      expect(probeRecords('CfgStiBike').map(r => r.options)).toEqual([{ label: 'bike', weight: 2 }]);
      const rows = await orm.em.fork().find(CfgStiVehicle, {}, { orderBy: { id: 'asc' } });
      expect(rows.map(r => [r.constructor.name, r.name])).toEqual([
        ['CfgStiCar', 'car'],
        ['CfgStiBike', 'bike'],
      ]);
      for (const row of rows) expect((row as unknown as { createdAt: unknown }).createdAt).toBeInstanceOf(Date);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Options and pluginOptions().
// ---------------------------------------------------------------------------------------------

describe('plugin options', () => {
  test('true and a bare name attach a plugin with its defaults', async () => {
    await withOrm(sqlite, formsOptions(newRegistry()), async orm => {
      expect(pluginOptions(orm.em, CfgNames, 'cfgProbe')).toEqual({ label: 'default', weight: 1 });
      expect(pluginOptions(orm.em, CfgOptionsObject, 'timestamp')).toEqual({ createdAt: 'createdAt', updatedAt: 'updatedAt' });
    });
  });

  test('pluginOptions accepts an entity class, a name or an instance, and is undefined for plugins not attached', async () => {
    await withOrm(sqlite, formsOptions(newRegistry()), async orm => {
      const em = orm.em.fork();
      const entity = em.create(CfgMixed, { name: 'a' });
      expect(pluginOptions(em, 'CfgMixed', 'cfgProbe')).toEqual({ label: 'x', weight: 1 });
      expect(pluginOptions(em, entity, 'cfgProbe')).toEqual({ label: 'x', weight: 1 });
      expect(pluginOptions(em, CfgMixed, 'softDelete')).toBeUndefined();
      expect(pluginOptions(em, CfgMixed, 'cfgExtra')).toBeUndefined();
    });
  });

  test('an option renaming a column reaches the hook: timestamp with custom property names', async () => {
    @withPlugins([{ timestamp: { createdAt: 'bornAt' } }])
    @Entity()
    class CfgRenamedStamp {
      @PrimaryKey({ type: 'integer' }) id!: number;
      @Property({ type: 'string' }) name!: string;
    }
    await withOrm(sqlite, { entities: [CfgRenamedStamp], extensions: [pluginSystem({ registry: newRegistry() })] }, async orm => {
      expect(pluginOptions(orm.em, CfgRenamedStamp, 'timestamp')).toEqual({ createdAt: 'bornAt', updatedAt: 'updatedAt' });
      const em = orm.em.fork();
      em.create(CfgRenamedStamp, { name: 'a' });
      await em.flush();
      const row = await orm.em.fork().findOneOrFail(CfgRenamedStamp, { name: 'a' });
      expect(row).toMatchObject({ bornAt: expect.any(Date), updatedAt: expect.any(Date) });
      expect(row).not.toHaveProperty('createdAt');
    });
  });

  test('options reach hooks on update as well as on create', async () => {
    await withOrm(sqlite, formsOptions(newRegistry()), async orm => {
      const em = orm.em.fork();
      const entity = em.create(CfgStatic, { name: 'a' });
      await em.flush();
      probeLog.length = 0;
      entity.name = 'b';
      await em.flush();
      expect(probeRecords('CfgStatic', 'beforeUpdate')).toEqual([
        { entity: 'CfgStatic', event: 'beforeUpdate', plugin: 'cfgProbe', options: { label: 'x', weight: 1 } },
      ]);
    });
  });
});
