import { EventType, type MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import {
  HookError,
  hook,
  plugin,
  PluginRegistry,
  pluginSystem,
  withPlugins,
  type BatchAfterHookContext,
  type EntityChanges,
  type HookContext,
} from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { countRows } from './support/fixtures-sql.js';

declare module '../src/index.js' {
  interface PluginOptionsMap {
    afterBatchProbe: Record<string, never>;
    afterEntityProbe: Record<string, never>;
  }
}

/** What the hooks saw, in the order they ran. */
const calls: string[] = [];
const registry = new PluginRegistry();

@plugin({ name: 'afterBatchProbe', registry })
class AfterBatchProbe {
  @hook('afterSave', { batch: true })
  saved(entities: readonly { id: number }[], ctx: BatchAfterHookContext) {
    // Inside the flush's transaction, with the ids the database generated, and one change set per entity.
    const inTransaction = ctx.em.getTransactionContext() !== undefined;
    calls.push(`${ctx.meta.className}:${ctx.event}:${entities.map(e => e.id).join(',')}:${inTransaction ? 'tx' : 'no tx'}:${ctx.changeSets.length}`);
  }

  @hook('afterDelete', { batch: true })
  deleted(entities: readonly object[], ctx: BatchAfterHookContext) {
    calls.push(`${ctx.meta.className}:afterDelete:${entities.length}`);
  }

  @hook('afterChange', { batch: true })
  changed(entities: readonly { id: number; title?: string }[], changes: readonly EntityChanges[], ctx: BatchAfterHookContext) {
    expect(changes).toHaveLength(entities.length);
    calls.push(`${ctx.meta.className}:afterChange:${changes.map(c => c.kind).join(',')}`);
    if (entities.some(e => e.title === 'boom')) throw new Error('no booms');
  }
}

@plugin({ name: 'afterEntityProbe', registry })
class AfterEntityProbe {
  @hook('afterCreate')
  created(entity: { id: number }, ctx: HookContext) {
    calls.push(`${ctx.meta.className}:per-entity afterCreate:${entity.id}`);
  }
}
void AfterBatchProbe;
void AfterEntityProbe;

@withPlugins(['afterBatchProbe'])
@Entity()
class AbShelf {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

@withPlugins(['afterBatchProbe'])
@Entity()
class AbBook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne({ entity: () => AbShelf, nullable: true }) shelf?: AbShelf | null;
}

/** A per-entity afterCreate hook next to the batch ones: its create event stays per entity. */
@withPlugins(['afterBatchProbe', 'afterEntityProbe'])
@Entity()
class AbMixed {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  @ManyToOne({ entity: () => AbBook, nullable: true }) book?: AbBook | null;
}

const entities = [AbShelf, AbBook, AbMixed];

describeEachDatabase('batch after-hooks', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
    calls.length = 0;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })] }));
  const listens = (event: EventType, entity: Function) => orm!.em.getEventManager().hasListeners(event, orm!.getMetadata().get(entity as never));

  test('every after-hook of a class is a batch hook: MikroORM does not dispatch its after-events to the package', async () => {
    await init();
    for (const event of [EventType.afterCreate, EventType.afterUpdate, EventType.afterDelete]) {
      expect(listens(event, AbShelf)).toBe(false);
      expect(listens(event, AbBook)).toBe(false);
    }
    // A per-entity afterCreate hook keeps that event per entity; its other after-events stay batched.
    expect(listens(EventType.afterCreate, AbMixed)).toBe(true);
    expect(listens(EventType.afterUpdate, AbMixed)).toBe(false);
  });

  test('one call per class and event, after the writes, inside the transaction, in write order', async () => {
    await init();
    const em = orm!.em.fork();
    const shelf = em.create(AbShelf, { label: 'A' });
    em.create(AbBook, { title: 'one', shelf });
    em.create(AbBook, { title: 'two', shelf });
    em.create(AbShelf, { label: 'B' });
    await em.flush();
    expect(calls).toEqual(['AbShelf:afterCreate:1,2:tx:2', 'AbShelf:afterChange:create,create', 'AbBook:afterCreate:1,2:tx:2', 'AbBook:afterChange:create,create']);
    calls.length = 0;
    const books = await em.find(AbBook, {}, { orderBy: { id: 'asc' } });
    books[0]!.title = 'one, again';
    books[1]!.title = 'two, again';
    em.remove(shelf);
    books[0]!.shelf = null;
    books[1]!.shelf = null;
    await em.flush();
    expect(calls).toEqual(['AbBook:afterUpdate:1,2:tx:2', 'AbBook:afterChange:update,update', 'AbShelf:afterDelete:1', 'AbShelf:afterChange:delete']);
  });

  test('batches of classes written before a per-entity after-event run before it, as MikroORM wrote them', async () => {
    await init();
    const em = orm!.em.fork();
    const book = em.create(AbBook, { title: 'first' });
    em.create(AbMixed, { label: 'm1', book });
    em.create(AbMixed, { label: 'm2', book });
    await em.flush();
    // AbBook is written first (AbMixed refers to it): its batch runs before AbMixed's per-entity hooks.
    expect(calls).toEqual([
      'AbBook:afterCreate:1:tx:1',
      'AbBook:afterChange:create',
      // Its afterCreate chain (registration order) runs per entity: the batch hook gets one-entity lists.
      'AbMixed:afterCreate:1:tx:1',
      'AbMixed:per-entity afterCreate:1',
      'AbMixed:afterChange:create',
      'AbMixed:afterCreate:2:tx:1',
      'AbMixed:per-entity afterCreate:2',
      'AbMixed:afterChange:create',
    ]);
  });

  test('a throw rolls the flush back, tagged with plugin, hook and entity', async () => {
    await init();
    const em = orm!.em.fork();
    em.create(AbBook, { title: 'fine' });
    em.create(AbBook, { title: 'boom' });
    const error = await em.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'afterBatchProbe', hook: 'changed (afterChange)', entity: 'AbBook' });
    expect(await countRows(orm!, AbBook)).toBe(0);
  });

  test('outside any transaction (implicit transactions off) the batch runs at the end of the flush', async () => {
    orm = await db.init({ entities, extensions: [pluginSystem({ registry })], implicitTransactions: false });
    const em = orm.em.fork();
    em.create(AbShelf, { label: 'A' });
    em.create(AbShelf, { label: 'B' });
    await em.flush();
    expect(calls).toEqual(['AbShelf:afterCreate:1,2:no tx:2', 'AbShelf:afterChange:create,create']);
  });

  test('inside the caller transaction, the batch runs before the flush returns', async () => {
    await init();
    await orm!.em.fork().transactional(async em => {
      em.create(AbShelf, { label: 'A' });
      await em.flush();
      expect(calls).toEqual(['AbShelf:afterCreate:1:tx:1', 'AbShelf:afterChange:create']);
    });
  });
});

test('the batch form is typed by event: after-hooks take (entities, ctx), afterChange (entities, changes, ctx)', () => {
  class Typed {
    @hook('afterCreate', { batch: true }) a(_entities: readonly object[], _ctx: BatchAfterHookContext) {}
    @hook('afterChange', { batch: true }) b(_entities: readonly object[], _changes: readonly EntityChanges[], _ctx: BatchAfterHookContext) {}
    // @ts-expect-error a batch afterChange hook gets the changes before the context
    @hook('afterChange', { batch: true }) c(_entities: readonly object[], _ctx: BatchAfterHookContext) {}
    // @ts-expect-error a batch afterCreate hook gets a list, not one entity
    @hook('afterCreate', { batch: true }) d(_entity: string, _ctx: BatchAfterHookContext) {}
  }
  expect(Typed).toBeTypeOf('function');
  expect(() => {
    class NoCommitBatch {
      // @ts-expect-error no batch form for afterCommit
      @hook('afterCommit', { batch: true }) e(_entities: readonly object[]) {}
    }
    return NoCommitBatch;
  }).toThrow(/'batch' is for .* not 'afterCommit'/);
  expect(() => {
    class MixedBatch {
      // @ts-expect-error before- and after-events take different batch forms
      @hook(['beforeSave', 'afterSave'], { batch: true }) f(_entities: readonly object[]) {}
    }
    return MixedBatch;
  }).toThrow(/cannot mix/);
});
