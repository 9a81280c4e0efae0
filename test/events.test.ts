import type { EntityManager } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { describe, expect, test } from 'vitest';
import type { EntityChanges, HookContext } from '../src/events.js';
import { describeChain, emit, hook, plugin, pluginSystem, PluginRegistry, type ChainEventName, type PluginList } from '../src/index.js';
import type { HookOptions } from '../src/plugin-api.js';
import { sqlite, type TestOptions, type TestOrm } from './support/databases.js';
import type { SqlEntityManager } from '@mikro-orm/sqlite';

// ---------------------------------------------------------------------------------------------
// Custom events and test plugin option types (names unique to this file).
// ---------------------------------------------------------------------------------------------

declare module '../src/events.js' {
  interface CustomHookEvents {
    evPing: { by: string };
  }
}

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    evSpy: { tag?: string };
    evSave: Record<string, never>;
    evChanges: Record<string, never>;
    evRevision: Record<string, never>;
    evKeep: Record<string, never>;
    evWatch: Record<string, never>;
    evA: Record<string, never>;
    evB: Record<string, never>;
    evC: Record<string, never>;
    evFirst: Record<string, never>;
    evSlow: Record<string, never>;
    evLast: Record<string, never>;
    evPinger: { loud?: boolean };
    evQuiet: Record<string, never>;
  }
}

@Entity()
class EvOwner {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class EvThing {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', nullable: true }) status?: string | null;
  @Property({ type: 'integer' }) revision!: number;
  @ManyToOne({ entity: () => EvOwner, nullable: true }) owner?: EvOwner | null;
}

@Entity()
class EvOther {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
class EvBare {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const entities = [EvOwner, EvThing, EvOther, EvBare];

/** A fresh ORM on SQLite whose entities get the plugins named in `config`. */
async function withOrm(registry: PluginRegistry, config: Record<string, PluginList>, fn: (orm: TestOrm) => Promise<void>): Promise<void> {
  const options: TestOptions = { entities, extensions: [pluginSystem({ registry, entities: config })] };
  const orm = await sqlite.init(options);
  try {
    await fn(orm);
  } finally {
    await orm.close();
  }
}

function chain(orm: TestOrm, event: ChainEventName, entity: Parameters<typeof describeChain>[1] = EvThing): string[] {
  return describeChain(orm, entity, event).map(h => `${h.plugin}.${h.method}`);
}

// ---------------------------------------------------------------------------------------------
// Moments and arguments: a spy hooked on every built-in event.
// ---------------------------------------------------------------------------------------------

interface SpyEntry {
  hook: string;
  entity: unknown;
  event: string;
  plugin: string;
  options: unknown;
  em: EntityManager;
  className: string;
  changeSetType: string | undefined;
  changeSetEntity: unknown;
  /** Names in the table when the hook ran. */
  rows: string[];
  /** The entity's name and id when the hook ran. */
  seen: { id: number | undefined; name: string };
  changes?: EntityChanges;
}

function spyRegistry(entries: SpyEntry[]): PluginRegistry {
  const registry = new PluginRegistry();

  async function note(hookName: string, entity: EvThing, ctx: HookContext, changes?: EntityChanges): Promise<void> {
    const seen = { id: entity.id, name: entity.name };
    // The flush runs in the transaction of `em.transactional`, so reading through ctx.em sees its writes.
    const rows = (await (ctx.em as SqlEntityManager).execute<{ name: string }[]>('select name from ev_thing order by id')).map(r => r.name);
    entries.push({
      hook: hookName,
      entity,
      event: ctx.event,
      plugin: ctx.plugin,
      options: ctx.options,
      em: ctx.em,
      className: ctx.meta.className,
      changeSetType: ctx.changeSet?.type,
      changeSetEntity: ctx.changeSet?.entity,
      rows,
      seen,
      ...(changes ? { changes } : {}),
    });
  }

  @plugin({ name: 'evSpy', registry, options: { defaults: { tag: 'none', level: 1 } } })
  class EvSpyPlugin {
    @hook('beforeCreate') onBeforeCreate(e: EvThing, ctx: HookContext) {
      return note('beforeCreate', e, ctx);
    }
    @hook('afterCreate') onAfterCreate(e: EvThing, ctx: HookContext) {
      return note('afterCreate', e, ctx);
    }
    @hook('beforeUpdate') onBeforeUpdate(e: EvThing, ctx: HookContext) {
      return note('beforeUpdate', e, ctx);
    }
    @hook('afterUpdate') onAfterUpdate(e: EvThing, ctx: HookContext) {
      return note('afterUpdate', e, ctx);
    }
    @hook('beforeDelete') onBeforeDelete(e: EvThing, ctx: HookContext) {
      return note('beforeDelete', e, ctx);
    }
    @hook('afterDelete') onAfterDelete(e: EvThing, ctx: HookContext) {
      return note('afterDelete', e, ctx);
    }
    @hook('afterChange') onAfterChange(e: EvThing, changes: EntityChanges, ctx: HookContext) {
      return note('afterChange', e, ctx, changes);
    }
    @hook('afterLoad') onAfterLoad(e: EvThing, ctx: HookContext) {
      return note('afterLoad', e, ctx);
    }
  }
  void EvSpyPlugin;
  return registry;
}

describe('event moments and arguments', () => {
  test('create, update and delete hooks fire before and after the SQL, with the entity and ctx', async () => {
    const entries: SpyEntry[] = [];
    await withOrm(spyRegistry(entries), { EvThing: [{ evSpy: { tag: 't' } }] }, async orm => {
      let thing!: EvThing;
      let tem!: EntityManager;
      await orm.em.fork().transactional(async em => {
        tem = em;
        thing = em.create(EvThing, { name: 'a', revision: 0 });
        await em.flush();
        thing.name = 'b';
        await em.flush();
        em.remove(thing);
        await em.flush();
      });
      const flushHooks = entries.filter(e => e.hook !== 'afterChange');
      expect(flushHooks.map(e => [e.hook, e.seen.id === undefined ? 'no id' : 'id', e.seen.name, e.rows])).toEqual([
        ['beforeCreate', 'no id', 'a', []],
        ['afterCreate', 'id', 'a', ['a']],
        ['beforeUpdate', 'id', 'b', ['a']],
        ['afterUpdate', 'id', 'b', ['b']],
        ['beforeDelete', 'id', 'b', ['b']],
        ['afterDelete', 'id', 'b', []],
      ]);
      for (const e of entries) {
        expect(e.entity, e.hook).toBe(thing);
        expect(e.event, e.hook).toBe(e.hook);
        expect(e.plugin, e.hook).toBe('evSpy');
        expect(e.options, e.hook).toEqual({ tag: 't', level: 1 });
        expect(e.em, e.hook).toBe(tem);
        expect(e.className, e.hook).toBe('EvThing');
        expect(e.changeSetEntity, e.hook).toBe(thing);
      }
      expect(entries.map(e => [e.hook, e.changeSetType])).toEqual([
        ['beforeCreate', 'create'],
        ['afterCreate', 'create'],
        ['afterChange', 'create'],
        ['beforeUpdate', 'update'],
        ['afterUpdate', 'update'],
        ['afterChange', 'update'],
        ['beforeDelete', 'delete'],
        ['afterDelete', 'delete'],
        ['afterChange', 'delete'],
      ]);
    });
  });

  test('afterChange runs after the write, after the after* hook of the same entity', async () => {
    const entries: SpyEntry[] = [];
    await withOrm(spyRegistry(entries), { EvThing: ['evSpy'] }, async orm => {
      await orm.em.fork().transactional(async em => {
        em.create(EvThing, { name: 'a', revision: 0 });
      });
      expect(entries.map(e => [e.hook, e.rows])).toEqual([
        ['beforeCreate', []],
        ['afterCreate', ['a']],
        ['afterChange', ['a']],
      ]);
      expect(entries[2]!.options).toEqual({ tag: 'none', level: 1 });
    });
  });

  test('afterLoad fires when an entity is loaded by a find, with its data and no change set', async () => {
    const entries: SpyEntry[] = [];
    await withOrm(spyRegistry(entries), { EvThing: ['evSpy'] }, async orm => {
      const em = orm.em.fork();
      em.create(EvThing, { name: 'a', revision: 0 });
      em.create(EvThing, { name: 'b', revision: 0 });
      await em.flush();
      entries.length = 0;
      const read = orm.em.fork();
      const found = await read.find(EvThing, {}, { orderBy: { id: 'asc' } });
      const loads = entries.filter(e => e.hook === 'afterLoad');
      expect(loads.map(e => e.seen)).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
      expect(loads.map(e => e.entity)).toEqual(found);
      expect(loads[0]!.entity).toBe(found[0]);
      expect(loads[0]!).toMatchObject({ event: 'afterLoad', plugin: 'evSpy', className: 'EvThing', changeSetType: undefined });
      expect(loads[0]!.em).toBe(read);
    });
  });

  test('afterLoad does not fire on em.create', async () => {
    const entries: SpyEntry[] = [];
    await withOrm(spyRegistry(entries), { EvThing: ['evSpy'] }, async orm => {
      const em = orm.em.fork();
      em.create(EvThing, { name: 'a', revision: 0 });
      expect(entries).toEqual([]);
      await em.flush();
      expect(entries.map(e => e.hook)).not.toContain('afterLoad');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// beforeSave / afterSave.
// ---------------------------------------------------------------------------------------------

describe('beforeSave and afterSave', () => {
  function saveRegistry(ran: string[]): PluginRegistry {
    const registry = new PluginRegistry();
    @plugin({ name: 'evSave', registry })
    class EvSavePlugin {
      @hook('beforeSave') beforeSave(_e: EvThing, ctx: HookContext) {
        ran.push(`beforeSave:${ctx.event}`);
      }
      @hook('beforeCreate') create(_e: EvThing, ctx: HookContext) {
        ran.push(`create:${ctx.event}`);
      }
      @hook(['beforeSave', 'beforeUpdate']) once(_e: EvThing, ctx: HookContext) {
        ran.push(`once:${ctx.event}`);
      }
      @hook('afterSave') afterSave(_e: EvThing, ctx: HookContext) {
        ran.push(`afterSave:${ctx.event}`);
      }
    }
    void EvSavePlugin;
    return registry;
  }

  test('beforeSave and afterSave hooks sit in both the create and the update chains', async () => {
    await withOrm(saveRegistry([]), { EvThing: ['evSave'] }, async orm => {
      expect(describeChain(orm, EvThing, 'beforeCreate').map(h => [h.method, h.event])).toEqual([
        ['beforeSave', 'beforeSave'],
        ['create', 'beforeCreate'],
        ['once', 'beforeSave'],
      ]);
      expect(chain(orm, 'beforeUpdate')).toEqual(['evSave.beforeSave', 'evSave.once']);
      expect(chain(orm, 'afterCreate')).toEqual(['evSave.afterSave']);
      expect(chain(orm, 'afterUpdate')).toEqual(['evSave.afterSave']);
    });
  });

  test('they run on create and on update, with ctx.event naming the concrete event', async () => {
    const ran: string[] = [];
    await withOrm(saveRegistry(ran), { EvThing: ['evSave'] }, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', revision: 0 });
      await em.flush();
      expect(ran).toEqual(['beforeSave:beforeCreate', 'create:beforeCreate', 'once:beforeCreate', 'afterSave:afterCreate']);
      ran.length = 0;
      thing.name = 'b';
      await em.flush();
      expect(ran).toEqual(['beforeSave:beforeUpdate', 'once:beforeUpdate', 'afterSave:afterUpdate']);
    });
  });

  test('a method hooked on beforeSave and beforeUpdate runs once per update', async () => {
    const ran: string[] = [];
    await withOrm(saveRegistry(ran), { EvThing: ['evSave'] }, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', revision: 0 });
      await em.flush();
      for (const name of ['b', 'c']) {
        thing.name = name;
        await em.flush();
      }
      expect(ran.filter(r => r.startsWith('once:'))).toEqual(['once:beforeCreate', 'once:beforeUpdate', 'once:beforeUpdate']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// afterChange.
// ---------------------------------------------------------------------------------------------

describe('afterChange', () => {
  function changeRegistry(seen: EntityChanges[]): PluginRegistry {
    const registry = new PluginRegistry();
    @plugin({ name: 'evChanges', registry })
    class EvChangesPlugin {
      @hook('afterChange') record(_e: EvThing, changes: EntityChanges) {
        seen.push(structuredClone(changes));
      }
    }
    @plugin({ name: 'evRevision', registry })
    class EvRevisionPlugin {
      @hook('beforeUpdate') bump(e: EvThing) {
        e.revision++;
      }
    }
    void EvChangesPlugin;
    void EvRevisionPlugin;
    return registry;
  }

  async function setup(orm: TestOrm): Promise<{ o1: EvOwner; o2: EvOwner }> {
    const em = orm.em.fork();
    const o1 = em.create(EvOwner, { name: 'o1' });
    const o2 = em.create(EvOwner, { name: 'o2' });
    await em.flush();
    return { o1, o2 };
  }

  test('a create lists every written field, the generated id included, with old undefined', async () => {
    const seen: EntityChanges[] = [];
    await withOrm(changeRegistry(seen), { EvThing: ['evChanges', 'evRevision'] }, async orm => {
      const { o1 } = await setup(orm);
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', status: 'new', revision: 0, owner: em.getReference(EvOwner, o1.id) });
      await em.flush();
      expect(seen).toEqual([
        {
          kind: 'create',
          fields: {
            id: { old: undefined, new: thing.id },
            name: { old: undefined, new: 'a' },
            status: { old: undefined, new: 'new' },
            revision: { old: undefined, new: 0 },
            owner: { old: undefined, new: o1.id },
          },
        },
      ]);
      expect(typeof thing.id).toBe('number');
    });
  });

  test('an update lists only the changed fields, hook changes included, with their old values', async () => {
    const seen: EntityChanges[] = [];
    await withOrm(changeRegistry(seen), { EvThing: ['evChanges', 'evRevision'] }, async orm => {
      const { o1, o2 } = await setup(orm);
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', status: 'new', revision: 0, owner: em.getReference(EvOwner, o1.id) });
      await em.flush();
      seen.length = 0;
      thing.name = 'b';
      thing.owner = em.getReference(EvOwner, o2.id);
      await em.flush();
      expect(seen).toEqual([
        {
          kind: 'update',
          fields: {
            name: { old: 'a', new: 'b' },
            owner: { old: o1.id, new: o2.id },
            revision: { old: 0, new: 1 },
          },
        },
      ]);
    });
  });

  test('an update of an entity loaded in another entity manager reports the old values from the database', async () => {
    const seen: EntityChanges[] = [];
    await withOrm(changeRegistry(seen), { EvThing: ['evChanges', 'evRevision'] }, async orm => {
      const em = orm.em.fork();
      em.create(EvThing, { name: 'a', status: 'new', revision: 5 });
      await em.flush();
      seen.length = 0;
      const other = orm.em.fork();
      const thing = await other.findOneOrFail(EvThing, { name: 'a' });
      thing.status = null;
      await other.flush();
      expect(seen).toEqual([{ kind: 'update', fields: { status: { old: 'new', new: null }, revision: { old: 5, new: 6 } } }]);
    });
  });

  test('a delete lists the full snapshot as old values', async () => {
    const seen: EntityChanges[] = [];
    await withOrm(changeRegistry(seen), { EvThing: ['evChanges', 'evRevision'] }, async orm => {
      const { o2 } = await setup(orm);
      const em = orm.em.fork();
      em.create(EvThing, { name: 'a', status: 'new', revision: 3, owner: em.getReference(EvOwner, o2.id) });
      await em.flush();
      seen.length = 0;
      const other = orm.em.fork();
      const thing = await other.findOneOrFail(EvThing, { name: 'a' });
      const id = thing.id;
      other.remove(thing);
      await other.flush();
      expect(seen).toEqual([
        {
          kind: 'delete',
          fields: {
            id: { old: id, new: undefined },
            name: { old: 'a', new: undefined },
            status: { old: 'new', new: undefined },
            revision: { old: 3, new: undefined },
            owner: { old: o2.id, new: undefined },
          },
        },
      ]);
    });
  });

  test('a flush with no real change fires no afterChange', async () => {
    const seen: EntityChanges[] = [];
    await withOrm(changeRegistry(seen), { EvThing: ['evChanges'] }, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', revision: 0 });
      await em.flush();
      seen.length = 0;
      thing.name = 'a';
      await em.flush();
      expect(seen).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// beforeDelete veto.
// ---------------------------------------------------------------------------------------------

describe('beforeDelete veto', () => {
  function vetoRegistry(ran: string[]): PluginRegistry {
    const registry = new PluginRegistry();
    @plugin({ name: 'evKeep', registry })
    class EvKeepPlugin {
      @hook('beforeDelete') keep(e: EvThing) {
        ran.push('keep');
        e.status = 'archived';
        return false;
      }
    }
    @plugin({ name: 'evWatch', registry })
    class EvWatchPlugin {
      @hook('beforeDelete', { priority: 10 }) laterBeforeDelete() {
        ran.push('laterBeforeDelete');
      }
      @hook('afterDelete') afterDelete() {
        ran.push('afterDelete');
      }
      @hook('afterUpdate') afterUpdate() {
        ran.push('afterUpdate');
      }
      @hook('afterChange') afterChange(_e: EvThing, changes: EntityChanges) {
        ran.push(`afterChange:${changes.kind}:${Object.keys(changes.fields).sort().join(',')}`);
      }
    }
    void EvKeepPlugin;
    void EvWatchPlugin;
    return registry;
  }

  test('returning false keeps the row and saves the hook’s changes as an update', async () => {
    const ran: string[] = [];
    await withOrm(vetoRegistry(ran), { EvThing: ['evKeep', 'evWatch'] }, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', status: 'live', revision: 0 });
      await em.flush();
      ran.length = 0;
      em.remove(thing);
      await em.flush();
      const rows = await orm.em.fork().getConnection().execute<{ name: string; status: string }[]>('select name, status from ev_thing');
      expect(rows).toEqual([{ name: 'a', status: 'archived' }]);
      expect(ran).toEqual(['keep', 'afterUpdate', 'afterChange:update:status']);
    });
  });

  test('ctx.flush is one object per flush, the same for all its deletes, and absent outside beforeDelete', async () => {
    const registry = new PluginRegistry();
    const seen: { event: string; flush: object | undefined }[] = [];
    @plugin({ name: 'evWatch', registry })
    class EvFlushWatch {
      @hook(['beforeDelete', 'beforeUpdate', 'afterDelete']) watch(_e: EvThing, ctx: HookContext) {
        seen.push({ event: ctx.event, flush: ctx.flush });
      }
    }
    void EvFlushWatch;
    await withOrm(registry, { EvThing: ['evWatch'] }, async orm => {
      const em = orm.em.fork();
      const things = ['a', 'b', 'c'].map(name => em.create(EvThing, { name, revision: 0 }));
      await em.flush();
      things[2]!.name = 'c2';
      em.remove(things[0]!).remove(things[1]!);
      await em.flush();
      em.remove(things[2]!);
      await em.flush();
      const deletes = seen.filter(s => s.event === 'beforeDelete');
      expect(deletes).toHaveLength(3);
      expect(deletes[0]!.flush).toEqual(expect.any(Object));
      expect(deletes[1]!.flush).toBe(deletes[0]!.flush);
      expect(deletes[2]!.flush).not.toBe(deletes[0]!.flush);
      expect(seen.filter(s => s.event !== 'beforeDelete').map(s => [s.event, s.flush])).toEqual([
        ['beforeUpdate', undefined],
        ['afterDelete', undefined],
        ['afterDelete', undefined],
        ['afterDelete', undefined],
      ]);
    });
  });

  test('without a veto the same hooks let the row be deleted', async () => {
    const ran: string[] = [];
    await withOrm(vetoRegistry(ran), { EvThing: ['evWatch'] }, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', status: 'live', revision: 0 });
      await em.flush();
      ran.length = 0;
      em.remove(thing);
      await em.flush();
      expect(ran).toEqual(['laterBeforeDelete', 'afterDelete', 'afterChange:delete:id,name,owner,revision,status']);
      expect(await orm.em.fork().count(EvThing, {})).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Ordering: priority, hook-level and plugin-level before/after, across three plugins.
// ---------------------------------------------------------------------------------------------

interface OrderSpec {
  /** `@plugin({ before, after })`: applies to every hook of the plugin. */
  plugin?: { before?: string[]; after?: string[] };
  /** `@hook('beforeCreate', { priority, before, after })`. */
  hook?: HookOptions;
}

/** Registers evA, evB and evC, in that order; each one's beforeCreate hook records its name. */
function orderRegistry(specs: { evA: OrderSpec; evB: OrderSpec; evC: OrderSpec }, ran: string[]): PluginRegistry {
  const registry = new PluginRegistry();
  for (const [name, spec] of Object.entries(specs)) {
    @plugin({ name, registry, ...spec.plugin })
    class EvOrdered {
      @hook('beforeCreate', spec.hook ?? {}) run(_e: EvThing, ctx: HookContext) {
        ran.push(ctx.plugin);
      }
    }
    void EvOrdered;
  }
  return registry;
}

const orderCases: { title: string; specs: { evA: OrderSpec; evB: OrderSpec; evC: OrderSpec }; expected: string[] }[] = [
  {
    title: 'no constraints: registration order',
    specs: { evA: {}, evB: {}, evC: {} },
    expected: ['evA', 'evB', 'evC'],
  },
  {
    title: 'lower priority runs first',
    specs: { evA: { hook: { priority: 10 } }, evB: { hook: { priority: 0 } }, evC: { hook: { priority: -5 } } },
    expected: ['evC', 'evB', 'evA'],
  },
  {
    title: 'hook-level before/after override priority',
    // Priority alone would give A, B, C; C must precede A and B must follow C.
    specs: { evA: {}, evB: { hook: { after: ['evC'] } }, evC: { hook: { priority: 5, before: ['evA'] } } },
    expected: ['evC', 'evA', 'evB'],
  },
  {
    title: 'plugin-level before/after override priority',
    // Priority alone would give A, B, C; A must follow B, and C must precede B.
    specs: { evA: { plugin: { after: ['evB'] }, hook: { priority: -10 } }, evB: {}, evC: { plugin: { before: ['evB'] }, hook: { priority: 10 } } },
    expected: ['evC', 'evB', 'evA'],
  },
  {
    title: 'plugin-level and hook-level constraints combine',
    // B before A (hook), C after B (plugin); among what is left free, C's priority puts it before A.
    specs: { evA: {}, evB: { hook: { before: ['evA'] } }, evC: { plugin: { after: ['evB'] }, hook: { priority: -10 } } },
    expected: ['evB', 'evC', 'evA'],
  },
];

describe('hook ordering', () => {
  test.each(orderCases)('$title: describeChain and the actual run agree', async ({ specs, expected }) => {
    const ran: string[] = [];
    await withOrm(orderRegistry(specs, ran), { EvThing: ['evA', 'evB', 'evC'] }, async orm => {
      expect(describeChain(orm, EvThing, 'beforeCreate').map(h => h.plugin)).toEqual(expected);
      const em = orm.em.fork();
      em.create(EvThing, { name: 'a', revision: 0 });
      await em.flush();
      expect(ran).toEqual(expected);
    });
  });

  test('describeChain reports each hook’s method, declared event and priority', async () => {
    const { specs } = orderCases[1]!;
    await withOrm(orderRegistry(specs, []), { EvThing: ['evA', 'evB', 'evC'] }, async orm => {
      expect(describeChain(orm, EvThing, 'beforeCreate')).toEqual([
        { plugin: 'evC', method: 'run', event: 'beforeCreate', kind: 'sequential', priority: -5 },
        { plugin: 'evB', method: 'run', event: 'beforeCreate', kind: 'sequential', priority: 0 },
        { plugin: 'evA', method: 'run', event: 'beforeCreate', kind: 'sequential', priority: 10 },
      ]);
    });
  });

  test('an async hook between sync hooks keeps the order, and its changes are saved', async () => {
    const ran: string[] = [];
    const registry = new PluginRegistry();
    @plugin({ name: 'evFirst', registry })
    class EvFirst {
      @hook('beforeCreate', { priority: 1 }) run() {
        ran.push('first');
      }
    }
    @plugin({ name: 'evSlow', registry })
    class EvSlow {
      @hook('beforeCreate', { priority: 2 }) async run(e: EvThing) {
        ran.push('slow:start');
        await new Promise(resolve => setTimeout(resolve, 5));
        await Promise.resolve();
        e.status = 'set after await';
        ran.push('slow:end');
      }
    }
    @plugin({ name: 'evLast', registry })
    class EvLast {
      @hook('beforeCreate', { priority: 3 }) run(e: EvThing) {
        ran.push(`last saw ${e.status}`);
      }
    }
    void [EvFirst, EvSlow, EvLast];
    await withOrm(registry, { EvThing: ['evLast', 'evSlow', 'evFirst'] }, async orm => {
      const em = orm.em.fork();
      em.create(EvThing, { name: 'a', revision: 0 });
      await em.flush();
      expect(ran).toEqual(['first', 'slow:start', 'slow:end', 'last saw set after await']);
      const row = await orm.em.fork().findOneOrFail(EvThing, { name: 'a' });
      expect(row.status).toBe('set after await');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Custom events.
// ---------------------------------------------------------------------------------------------

describe('custom events', () => {
  interface Ping {
    entity: unknown;
    payload: unknown;
    event: string;
    plugin: string;
    options: unknown;
    className: string;
    changeSet: unknown;
    em: EntityManager;
  }

  function pingRegistry(pings: Ping[], asyncPing = false): PluginRegistry {
    const registry = new PluginRegistry();
    @plugin({ name: 'evPinger', registry, events: ['evPing'], options: { defaults: { loud: false } } })
    class EvPinger {
      @hook('evPing') ping(entity: object, payload: { by: string }, ctx: HookContext) {
        const record = () => {
          pings.push({
            entity,
            payload,
            event: ctx.event,
            plugin: ctx.plugin,
            options: ctx.options,
            className: ctx.meta.className,
            changeSet: ctx.changeSet,
            em: ctx.em,
          });
        };
        if (!asyncPing) return record();
        return Promise.resolve().then(record);
      }
    }
    @plugin({ name: 'evQuiet', registry })
    class EvQuiet {
      @hook('beforeCreate') create() {}
    }
    void [EvPinger, EvQuiet];
    return registry;
  }

  const config = { EvThing: ['evPinger'], EvOther: ['evQuiet'] } as Record<string, PluginList>;

  test('emit runs the hooks of the entity’s plugins with the payload and a ctx', async () => {
    const pings: Ping[] = [];
    await withOrm(pingRegistry(pings), config, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', revision: 0 });
      const payload = { by: 'alice' };
      emit(em, 'evPing', thing, payload);
      expect(pings).toEqual([
        {
          entity: thing,
          payload,
          event: 'evPing',
          plugin: 'evPinger',
          options: { loud: false },
          className: 'EvThing',
          changeSet: undefined,
          em,
        },
      ]);
      expect(pings[0]!.entity).toBe(thing);
      expect(pings[0]!.payload).toBe(payload);
      expect(chain(orm, 'evPing')).toEqual(['evPinger.ping']);
    });
  });

  test('emit does not reach entities whose plugins declare no hook for the event', async () => {
    const pings: Ping[] = [];
    await withOrm(pingRegistry(pings), config, async orm => {
      const em = orm.em.fork();
      const other = em.create(EvOther, { name: 'other' });
      const bare = em.create(EvBare, { name: 'bare' });
      expect(emit(em, 'evPing', other, { by: 'alice' })).toBeUndefined();
      expect(emit(em, 'evPing', bare, { by: 'alice' })).toBeUndefined();
      expect(pings).toEqual([]);
      expect(chain(orm, 'evPing', EvOther)).toEqual([]);
    });
  });

  test('emit returns undefined, not a promise, when every hook is sync', async () => {
    const pings: Ping[] = [];
    await withOrm(pingRegistry(pings), config, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', revision: 0 });
      expect(emit(em, 'evPing', thing, { by: 'bob' })).toBeUndefined();
      expect(pings).toHaveLength(1);
    });
  });

  test('emit returns a promise that settles after an async hook finished', async () => {
    const pings: Ping[] = [];
    await withOrm(pingRegistry(pings, true), config, async orm => {
      const em = orm.em.fork();
      const thing = em.create(EvThing, { name: 'a', revision: 0 });
      const result = emit(em, 'evPing', thing, { by: 'carol' });
      expect(result).toBeInstanceOf(Promise);
      expect(pings).toEqual([]);
      await result;
      expect(pings.map(p => p.payload)).toEqual([{ by: 'carol' }]);
    });
  });
});
