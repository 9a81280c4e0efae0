import type { EntityName, EventArgs, EventSubscriber, MikroORM, Opt } from '@mikro-orm/core';
import { AfterCreate, BeforeCreate, BeforeUpdate, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  HookError,
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationPlugin,
  hook,
  plugin,
  pluginSystem,
  withPlugins,
  type ChangeKind,
  type EntityChanges,
} from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { dumpTables, queryLog, rowById, statements, tableOf } from './support/fixtures-sql.js';

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    atomAlpha: Record<string, never>;
    atomBeta: Record<string, never>;
    atomGamma: Record<string, never>;
    atomSlugger: Record<string, never>;
    atomMarker: Record<string, never>;
  }
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });

// ---------------------------------------------------------------------------------------------
// Three probe plugins hooked on every write event. Chain order comes from priority (atomAlpha,
// atomBeta, atomGamma), not from registration order (they are registered atomGamma first).

type ProbeEvent = 'beforeCreate' | 'afterCreate' | 'beforeUpdate' | 'afterUpdate' | 'beforeDelete' | 'afterDelete' | 'afterChange';

interface Call {
  plugin: string;
  event: ProbeEvent;
  entity: string;
  kind: ChangeKind | undefined;
}

interface Fault {
  plugin: string;
  event: ProbeEvent;
  entity: string;
  kind?: ChangeKind;
  error: Error;
}

const probe = {
  calls: [] as Call[],
  fault: undefined as Fault | undefined,
  /** When true every probe hook returns a promise, so the dispatcher takes its async path. */
  async: false,
  reset() {
    this.calls = [];
    this.fault = undefined;
    this.async = false;
  },
};

function step(plugin: string, event: ProbeEvent, entity: object, changes?: EntityChanges): void | Promise<void> {
  const call: Call = { plugin, event, entity: entity.constructor.name, kind: changes?.kind };
  probe.calls.push(call);
  const fault = probe.fault;
  const hit =
    fault !== undefined &&
    fault.plugin === plugin &&
    fault.event === event &&
    fault.entity === call.entity &&
    (fault.kind === undefined || fault.kind === call.kind);
  if (probe.async) {
    return (async () => {
      await new Promise(resolve => setImmediate(resolve));
      if (hit) throw fault.error;
    })();
  }
  if (hit) throw fault.error;
}

function probePlugin(name: string, priority: number) {
  @plugin({ name, registry })
  class Probe {
    @hook('beforeCreate', { priority }) onBeforeCreate(e: object) {
      return step(name, 'beforeCreate', e);
    }
    @hook('afterCreate', { priority }) onAfterCreate(e: object) {
      return step(name, 'afterCreate', e);
    }
    @hook('beforeUpdate', { priority }) onBeforeUpdate(e: object) {
      return step(name, 'beforeUpdate', e);
    }
    @hook('afterUpdate', { priority }) onAfterUpdate(e: object) {
      return step(name, 'afterUpdate', e);
    }
    @hook('beforeDelete', { priority }) onBeforeDelete(e: object) {
      return step(name, 'beforeDelete', e);
    }
    @hook('afterDelete', { priority }) onAfterDelete(e: object) {
      return step(name, 'afterDelete', e);
    }
    @hook('afterChange', { priority }) onAfterChange(e: object, changes: EntityChanges) {
      return step(name, 'afterChange', e, changes);
    }
  }
  return Probe;
}

probePlugin('atomGamma', 30);
probePlugin('atomBeta', 20);
probePlugin('atomAlpha', 10);
const CHAIN = ['atomAlpha', 'atomBeta', 'atomGamma'] as const;

@withPlugins(['atomAlpha', 'atomBeta', 'atomGamma'])
@Entity()
class AtCustomer {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@withPlugins(['atomAlpha', 'atomBeta', 'atomGamma'])
@Entity()
class AtOrder {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  @ManyToOne({ entity: () => AtCustomer }) customer!: AtCustomer;
}

/** No plugins: its writes in the same flush must roll back too. */
@Entity()
class AtLedger {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) note!: string;
}

// ---------------------------------------------------------------------------------------------
// A plugin whose before-hooks change the entity.

@plugin({ name: 'atomSlugger', registry })
class SluggerPlugin {
  @hook('beforeCreate') slugOnCreate(e: AtArticle) {
    e.slug = e.title.toLowerCase().replace(/\W+/g, '-');
  }
  @hook('beforeUpdate') slugOnUpdate(e: AtArticle) {
    e.slug = e.title.toLowerCase().replace(/\W+/g, '-');
    e.revision = e.revision + 1;
  }
}
void SluggerPlugin;

@withPlugins(['atomSlugger'])
@Entity()
class AtArticle {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'string', nullable: true }) slug?: string;
  @Property({ type: 'integer' }) revision: Opt<number> = 0;
}

// ---------------------------------------------------------------------------------------------
// The user's own MikroORM hooks and subscriber next to a plugin.

const trail: string[] = [];

@plugin({ name: 'atomMarker', registry })
class MarkerPlugin {
  @hook('beforeCreate') mark(e: AtHooked) {
    trail.push('plugin:beforeCreate');
    e.byPlugin = 'plugin';
  }
  @hook('afterCreate') marked() {
    trail.push('plugin:afterCreate');
  }
  @hook('beforeUpdate') markUpdate(e: AtHooked) {
    trail.push('plugin:beforeUpdate');
    e.byPlugin = 'plugin-updated';
  }
}
void MarkerPlugin;

@withPlugins(['atomMarker'])
@Entity()
class AtHooked {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', nullable: true }) byEntity?: string;
  @Property({ type: 'string', nullable: true }) bySubscriber?: string;
  @Property({ type: 'string', nullable: true }) byPlugin?: string;

  @BeforeCreate() entityBeforeCreate() {
    trail.push('entity:beforeCreate');
    this.byEntity = 'entity';
  }

  @AfterCreate() entityAfterCreate() {
    trail.push('entity:afterCreate');
  }

  @BeforeUpdate() entityBeforeUpdate() {
    trail.push('entity:beforeUpdate');
    this.byEntity = 'entity-updated';
  }
}

class UserSubscriber implements EventSubscriber<AtHooked> {
  getSubscribedEntities(): EntityName<AtHooked>[] {
    return [AtHooked];
  }
  beforeCreate({ entity }: EventArgs<AtHooked>) {
    trail.push('subscriber:beforeCreate');
    entity.bySubscriber = 'subscriber';
  }
  afterCreate() {
    trail.push('subscriber:afterCreate');
  }
  beforeUpdate({ entity }: EventArgs<AtHooked>) {
    trail.push('subscriber:beforeUpdate');
    entity.bySubscriber = 'subscriber-updated';
  }
}

const entities = [AtCustomer, AtOrder, AtLedger, AtArticle, AtHooked];
const probed = [AtCustomer, AtOrder, AtLedger];

// ---------------------------------------------------------------------------------------------

/** Where a fault is injected: the first dispatch of `event` on `entity` (of that change kind). */
const targets: { event: ProbeEvent; entity: string; kind?: ChangeKind; why: string }[] = [
  { event: 'beforeCreate', entity: 'AtOrder', why: 'after the customer INSERT and UPDATE ran' },
  { event: 'afterCreate', entity: 'AtOrder', why: 'after the order INSERT ran' },
  { event: 'beforeUpdate', entity: 'AtCustomer', why: 'after the customer INSERT ran' },
  { event: 'afterUpdate', entity: 'AtCustomer', why: 'after the customer UPDATE ran' },
  { event: 'beforeDelete', entity: 'AtCustomer', why: 'before the transaction began' },
  { event: 'afterDelete', entity: 'AtCustomer', why: 'after every INSERT, UPDATE and DELETE ran' },
  { event: 'afterChange', entity: 'AtOrder', kind: 'create', why: 'after the order INSERT ran' },
  { event: 'afterChange', entity: 'AtCustomer', kind: 'delete', why: 'after every write ran' },
];
const positions = [
  { name: 'first', index: 0 },
  { name: 'middle', index: 1 },
  { name: 'last', index: 2 },
] as const;

describeEachDatabase('atomicity of the hook chains', db => {
  let orm: MikroORM | undefined;
  beforeEach(() => {
    probe.reset();
    trail.length = 0;
  });
  afterEach(async () => {
    probe.reset();
    await orm?.close();
    orm = undefined;
  });
  const init = async (extra: object = {}) => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })], ...extra }));

  /** Customers Ann (updated later) and Bob (deleted later), one order of Ann's, one ledger line. */
  async function seed(orm: MikroORM) {
    const em = orm.em.fork();
    const ann = em.create(AtCustomer, { name: 'Ann' });
    const bob = em.create(AtCustomer, { name: 'Bob' });
    em.create(AtOrder, { label: 'o1', customer: ann });
    em.create(AtLedger, { note: 'opening' });
    await em.flush();
    return { annId: ann.id, bobId: bob.id };
  }

  /** One flush mixing inserts into three tables, an update and a delete. */
  async function mixedFlush(orm: MikroORM, { annId, bobId }: { annId: number; bobId: number }) {
    const em = orm.em.fork();
    const ann = await em.findOneOrFail(AtCustomer, annId);
    const bob = await em.findOneOrFail(AtCustomer, bobId);
    ann.name = 'Ann Updated';
    em.remove(bob);
    const cid = em.create(AtCustomer, { name: 'Cid' });
    em.create(AtOrder, { label: 'o2', customer: cid });
    em.create(AtOrder, { label: 'o3', customer: ann });
    em.create(AtLedger, { note: 'entry' });
    probe.calls = [];
    return em.flush();
  }

  test('without a failing hook the mixed flush writes every table and runs each chain in order', async () => {
    const orm = await init();
    const ids = await seed(orm);
    const before = await dumpTables(orm, probed);
    await mixedFlush(orm, ids);
    const after = await dumpTables(orm, probed);
    for (const table of Object.keys(before)) expect(after[table], table).not.toEqual(before[table]);
    expect(after[tableOf(orm, AtCustomer)]!.map(r => r.name).sort()).toEqual(['Ann Updated', 'Cid']);
    expect(after[tableOf(orm, AtOrder)]!.map(r => r.label).sort()).toEqual(['o1', 'o2', 'o3']);
    expect(after[tableOf(orm, AtLedger)]).toHaveLength(2);
    for (const event of ['beforeCreate', 'afterCreate', 'beforeUpdate', 'afterUpdate', 'beforeDelete', 'afterDelete', 'afterChange'] as const) {
      const plugins = probe.calls.filter(c => c.event === event && c.entity === 'AtCustomer').map(c => c.plugin);
      expect(plugins.length, event).toBeGreaterThan(0);
      // Each dispatch runs alpha, beta, gamma in turn.
      for (let i = 0; i < plugins.length; i++) expect(plugins[i], event).toBe(CHAIN[i % 3]);
    }
  });

  for (const mode of ['sync', 'async'] as const) {
    for (const target of targets) {
      const label = target.kind ? `${target.event} (${target.kind})` : target.event;
      describe(`${mode} hooks, ${label} on ${target.entity}, ${target.why}`, () => {
        for (const position of positions) {
          test(`a throwing hook at the ${position.name} position leaves every table unchanged`, async () => {
            const orm = await init();
            const ids = await seed(orm);
            const before = await dumpTables(orm, probed);

            const thrower = CHAIN[position.index];
            const original = new Error(`boom from ${thrower}`);
            probe.async = mode === 'async';
            probe.fault = { plugin: thrower, event: target.event, entity: target.entity, kind: target.kind, error: original };

            const error = await mixedFlush(orm, ids).then(
              () => undefined,
              (e: unknown) => e,
            );

            // The error names plugin, hook and entity and carries the original.
            expect(error, 'the flush should have failed').toBeInstanceOf(HookError);
            const hookError = error as HookError;
            expect(hookError.code).toBe('MOP_HOOK_FAILED');
            expect(hookError.plugin).toBe(thrower);
            expect(hookError.hook).toContain(target.event);
            expect(hookError.entity).toBe(target.entity);
            expect(hookError.cause).toBe(original);
            expect(hookError.message).toContain(original.message);

            // The hooks after the thrower did not run on that dispatch.
            const ran = probe.calls
              .filter(c => c.event === target.event && c.entity === target.entity && (target.kind === undefined || c.kind === target.kind))
              .map(c => c.plugin);
            expect(ran).toEqual(CHAIN.slice(0, position.index + 1));

            // Nothing of the flush reached the tables.
            expect(await dumpTables(orm, probed)).toEqual(before);
          });
        }
      });
    }
  }

  test('after a failed flush, a new flush of the same changes succeeds (no transaction left open)', async () => {
    const orm = await init();
    const ids = await seed(orm);
    probe.fault = { plugin: 'atomBeta', event: 'afterDelete', entity: 'AtCustomer', error: new Error('boom') };
    await expect(mixedFlush(orm, ids)).rejects.toBeInstanceOf(HookError);
    probe.fault = undefined;
    await mixedFlush(orm, ids);
    expect((await dumpTables(orm, [AtCustomer]))[tableOf(orm, AtCustomer)]!.map(r => r.name).sort()).toEqual(['Ann Updated', 'Cid']);
  });

  describe('changes made by before-hooks', () => {
    test('a beforeCreate change is part of the single INSERT', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const em = orm.em.fork();
      log.clear();
      const article = em.create(AtArticle, { title: 'Hello World' });
      await em.flush();
      const table = tableOf(orm, AtArticle);
      expect(statements(log.queries, 'insert', table)).toHaveLength(1);
      expect(statements(log.queries, 'update', table)).toHaveLength(0);
      expect(await rowById(orm, AtArticle, article.id)).toMatchObject({ title: 'Hello World', slug: 'hello-world', revision: 0 });
    });

    test('a beforeUpdate change is part of the single UPDATE', async () => {
      const log = queryLog();
      const orm = await init(log.options);
      const em = orm.em.fork();
      const article = em.create(AtArticle, { title: 'Hello World' });
      await em.flush();
      log.clear();
      article.title = 'Second Title';
      await em.flush();
      const table = tableOf(orm, AtArticle);
      const updates = statements(log.queries, 'update', table);
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatch(/slug/);
      expect(updates[0]).toMatch(/revision/);
      expect(await rowById(orm, AtArticle, article.id)).toMatchObject({ title: 'Second Title', slug: 'second-title', revision: 1 });
      // Nothing is left dirty: another flush writes nothing.
      log.clear();
      await em.flush();
      expect(statements(log.queries, 'update', table)).toHaveLength(0);
    });
  });

  describe("the user's own MikroORM hooks", () => {
    test('an entity @BeforeCreate hook and a user subscriber run alongside the plugin, and all their changes are saved', async () => {
      const orm = await init({ subscribers: [new UserSubscriber()] });
      const em = orm.em.fork();
      const row = em.create(AtHooked, { name: 'h' });
      await em.flush();
      expect(await rowById(orm, AtHooked, row.id)).toMatchObject({ by_entity: 'entity', by_subscriber: 'subscriber', by_plugin: 'plugin' });
      expect(trail.filter(t => t.endsWith(':beforeCreate')).sort()).toEqual(['entity:beforeCreate', 'plugin:beforeCreate', 'subscriber:beforeCreate']);
      expect(trail.filter(t => t.endsWith(':afterCreate')).sort()).toEqual(['entity:afterCreate', 'plugin:afterCreate', 'subscriber:afterCreate']);
      // Plugin hooks run after the entity's own hooks.
      expect(trail.indexOf('entity:beforeCreate')).toBeLessThan(trail.indexOf('plugin:beforeCreate'));
      expect(trail.indexOf('entity:afterCreate')).toBeLessThan(trail.indexOf('plugin:afterCreate'));
    });

    test('on update too: @BeforeUpdate, the subscriber and the plugin all run and are saved in one UPDATE', async () => {
      const log = queryLog();
      const orm = await init({ subscribers: [new UserSubscriber()], ...log.options });
      const em = orm.em.fork();
      const row = em.create(AtHooked, { name: 'h' });
      await em.flush();
      trail.length = 0;
      log.clear();
      row.name = 'h2';
      await em.flush();
      expect(statements(log.queries, 'update', tableOf(orm, AtHooked))).toHaveLength(1);
      expect(await rowById(orm, AtHooked, row.id)).toMatchObject({
        name: 'h2',
        by_entity: 'entity-updated',
        by_subscriber: 'subscriber-updated',
        by_plugin: 'plugin-updated',
      });
      expect(trail.sort()).toEqual(['entity:beforeUpdate', 'plugin:beforeUpdate', 'subscriber:beforeUpdate']);
    });
  });
});
