import { EventType, type EventArgs, type EventSubscriber, type FlushEventArgs, type MikroORM, type Opt } from '@mikro-orm/core';
import { BeforeCreate, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { hook, plugin, PluginRegistry, TimestampPlugin, ValidationError, ValidationPlugin, pluginSystem, withPlugins, type BatchHookContext } from '../src/index.js';
import { fakeClock } from '../src/testing.js';
import { describeEachDatabase } from './support/databases.js';
import { countRows, queryLog } from './support/fixtures-sql.js';

declare module '../src/index.js' {
  interface PluginOptionsMap {
    batchProbe: Record<string, never>;
    entityProbe: Record<string, never>;
  }
}

/** Each call a hook got: entity class, event, how many entities. */
const calls: string[] = [];
const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, validation: ValidationPlugin });

@plugin({ name: 'batchProbe', registry })
class BatchProbePlugin {
  @hook('beforeSave', { batch: true, priority: 50 })
  seen(entities: readonly object[], ctx: BatchHookContext) {
    calls.push(`${ctx.meta.className}:${ctx.event}:${entities.length}`);
  }
}

@plugin({ name: 'entityProbe', registry })
class EntityProbePlugin {
  @hook('beforeCreate') seen() {
    calls.push('per-entity hook');
  }
}
void BatchProbePlugin;
void EntityProbePlugin;

const clock = fakeClock('2024-05-06T07:08:09.000Z');
const validation = { validate: (e: { title?: string }) => (e.title ? [] : [{ field: 'title', message: 'required' }]) };

@withPlugins([{ timestamp: { now: clock.now } }, 'batchProbe'])
@Entity()
class BtAuthor {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  createdAt?: Date;
  updatedAt?: Date;
}

/** Declares createdAt itself, as a datetime; a relation; validation after the timestamps. */
@withPlugins([{ timestamp: { now: clock.now } }, { validation }, 'batchProbe'])
@Entity()
class BtPost {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) views: Opt<number> = 0;
  @Property({ type: 'datetime', nullable: true }) createdAt?: Date;
  @ManyToOne({ entity: () => BtAuthor }) author!: BtAuthor;
  updatedAt?: Date;
}

/** Has its own `@BeforeCreate`: its create hooks run per entity, as MikroORM dispatches them. */
@withPlugins([{ timestamp: { now: clock.now } }, 'batchProbe'])
@Entity()
class BtOwnHook {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  createdAt?: Date;
  updatedAt?: Date;
  @BeforeCreate() own() {
    calls.push(`own:${this.createdAt === undefined ? 'before plugins' : 'after plugins'}`);
  }
}

/** A per-entity hook in the create chain: that chain runs per entity. */
@withPlugins([{ timestamp: { now: clock.now } }, 'batchProbe', 'entityProbe'])
@Entity()
class BtMixed {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) label!: string;
  createdAt?: Date;
  updatedAt?: Date;
}

const entities = [BtAuthor, BtPost, BtOwnHook, BtMixed];

/** An application subscriber (registered before the plugin system) listening to the before-events of posts. */
class PostListener implements EventSubscriber {
  getSubscribedEntities() {
    return [BtPost];
  }
  beforeCreate(args: EventArgs<BtPost>) {
    calls.push(`subscriber:${args.entity.createdAt === undefined ? 'before plugins' : 'after plugins'}`);
  }
  beforeUpdate() {}
}

describeEachDatabase('flush-level batch dispatch', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
    calls.length = 0;
    clock.set('2024-05-06T07:08:09.000Z');
  });
  const init = async (extra: object = {}) => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })], ...extra }));
  const listens = (event: EventType, entity: Function) => orm!.em.getEventManager().hasListeners(event, orm!.getMetadata().get(entity as never));

  /** Inserts 2 authors with 3 posts, then updates 2 posts and 1 author; the SQL, the rows and the calls. */
  const scenario = async (options: object = {}) => {
    const log = queryLog();
    const orm = await init({ ...log.options, ...options });
    const em = orm.em.fork();
    const [ann, bob] = [em.create(BtAuthor, { name: 'Ann' }), em.create(BtAuthor, { name: 'Bob' })];
    em.create(BtPost, { title: 'one', author: ann });
    em.create(BtPost, { title: 'two', author: bob, createdAt: new Date('2020-01-01T00:00:00.000Z') });
    em.create(BtPost, { title: 'three', author: ann });
    log.clear();
    await em.flush();
    const inserts = [...log.queries];
    clock.advance(60_000);
    const posts = await em.find(BtPost, {}, { orderBy: { id: 'asc' } });
    posts[0]!.title = 'one!';
    posts[2]!.views = 7;
    ann.name = 'Ann B.';
    log.clear();
    await em.flush();
    const updates = [...log.queries];
    log.clear();
    await em.flush();
    const rows = await orm.em.fork().find(BtPost, {}, { orderBy: { id: 'asc' } });
    return {
      inserts: clean(inserts),
      updates: clean(updates),
      again: log.queries.length,
      rows: rows.map(p => [p.title, p.views, p.createdAt?.toISOString(), p.updatedAt?.toISOString()]),
    };
  };

  test('one call per class and event, no MikroORM per-entity event, and the same SQL and rows as per-entity dispatch', async () => {
    const batched = await scenario();
    expect(listens(EventType.beforeCreate, BtPost)).toBe(false);
    expect(listens(EventType.beforeUpdate, BtPost)).toBe(false);
    expect(listens(EventType.beforeCreate, BtAuthor)).toBe(false);
    const batchCalls = [...calls];
    await orm!.close();
    calls.length = 0;
    clock.set('2024-05-06T07:08:09.000Z');
    const perEntity = await scenario({ subscribers: [new PostListener()] });
    expect(listens(EventType.beforeCreate, BtPost)).toBe(true);
    expect(calls.filter(c => c.startsWith('BtPost:beforeCreate'))).toEqual(Array(3).fill('BtPost:beforeCreate:1'));
    expect(new Set(calls.filter(c => c.startsWith('BtPost:beforeUpdate')))).toEqual(new Set(['BtPost:beforeUpdate:1']));
    expect(batched.inserts.some(q => /insert into .*bt_post/i.test(q))).toBe(true);
    expect(batched.updates.some(q => /update .*bt_post/i.test(q))).toBe(true);
    expect(batched).toEqual(perEntity);
    expect(batchCalls.slice(0, 2)).toEqual(['BtAuthor:beforeCreate:2', 'BtPost:beforeCreate:3']);
    expect(batchCalls.slice(2).sort()).toEqual(['BtAuthor:beforeUpdate:1', `BtPost:beforeUpdate:${batched.updates.length > 0 ? perEntityPostUpdates(calls) : 0}`]);
    // Same rows; SQLite reads a declared nullable datetime back in another form, so MikroORM rewrites created_at on the update in both modes.
    expect(batched.rows.map(([title, views, createdAt]) => [title, views, createdAt])).toEqual([
      ['one!', 0, '2024-05-06T07:08:09.000Z'],
      ['two', 0, '2020-01-01T00:00:00.000Z'],
      ['three', 7, '2024-05-06T07:08:09.000Z'],
    ]);
    expect(batched.rows[0]![3]).toBe('2024-05-06T07:09:09.000Z');
    expect(batched.rows[2]![3]).toBe('2024-05-06T07:09:09.000Z');
  });

  test('an app subscriber listening to the event before the plugin system keeps it per entity, in the documented order', async () => {
    await init({ subscribers: [new PostListener()] });
    const em = orm!.em.fork();
    em.create(BtPost, { title: 'a', author: em.create(BtAuthor, { name: 'A' }) });
    await em.flush();
    expect(calls).toEqual(['BtAuthor:beforeCreate:1', 'subscriber:before plugins', 'BtPost:beforeCreate:1']);
    expect(listens(EventType.beforeCreate, BtAuthor)).toBe(false);
  });

  test("an entity's own @BeforeCreate keeps its create chain per entity, after the entity's hook; its update chain is batched", async () => {
    await init();
    const em = orm!.em.fork();
    em.create(BtOwnHook, { label: 'x' });
    em.create(BtOwnHook, { label: 'y' });
    await em.flush();
    expect(calls).toEqual(['own:before plugins', 'BtOwnHook:beforeCreate:1', 'own:before plugins', 'BtOwnHook:beforeCreate:1']);
    expect(listens(EventType.beforeCreate, BtOwnHook)).toBe(true);
    expect(listens(EventType.beforeUpdate, BtOwnHook)).toBe(false);
    const rows = await orm!.em.fork().find(BtOwnHook, {});
    expect(rows.map(r => r.createdAt?.toISOString())).toEqual(['2024-05-06T07:08:09.000Z', '2024-05-06T07:08:09.000Z']);
  });

  test('a per-entity hook in the chain runs the whole chain per entity, batch hooks with one entity each', async () => {
    await init();
    const em = orm!.em.fork();
    em.create(BtMixed, { label: 'x' });
    em.create(BtMixed, { label: 'y' });
    await em.flush();
    expect(calls).toEqual(['per-entity hook', 'BtMixed:beforeCreate:1', 'per-entity hook', 'BtMixed:beforeCreate:1']);
    expect(listens(EventType.beforeCreate, BtMixed)).toBe(true);
    const rows = await orm!.em.fork().find(BtMixed, {});
    expect(rows.every(r => r.createdAt?.toISOString() === '2024-05-06T07:08:09.000Z')).toBe(true);
  });

  test('a subscriber registered later that listens to onFlush sees the entities before the hooks: the events go back to per entity', async () => {
    await init();
    const seenInOnFlush: unknown[] = [];
    orm!.em.getEventManager().registerSubscriber({
      onFlush: ({ uow }: FlushEventArgs) => void seenInOnFlush.push(...uow.getChangeSets().map(cs => (cs.entity as BtAuthor).createdAt)),
    });
    const em = orm!.em.fork();
    em.create(BtAuthor, { name: 'A' });
    em.create(BtAuthor, { name: 'B' });
    await em.flush();
    expect(seenInOnFlush).toEqual([undefined, undefined]);
    expect(calls).toEqual(['BtAuthor:beforeCreate:1', 'BtAuthor:beforeCreate:1']);
    const rows = await orm!.em.fork().find(BtAuthor, {});
    expect(rows.map(r => r.createdAt?.toISOString())).toEqual(['2024-05-06T07:08:09.000Z', '2024-05-06T07:08:09.000Z']);
  });

  test('a failing entity in a batch aborts the whole flush with the typed error: nothing is written', async () => {
    await init();
    const em = orm!.em.fork();
    const author = em.create(BtAuthor, { name: 'A' });
    em.create(BtPost, { title: 'fine', author });
    em.create(BtPost, { title: '', author });
    const error = await em.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'MOP_VALIDATION_FAILED', plugin: 'validation', entity: 'BtPost', issues: [{ field: 'title', message: 'required' }] });
    expect(await countRows(orm!, BtAuthor)).toBe(0);
    expect(await countRows(orm!, BtPost)).toBe(0);
  });

  test('ctx.set refuses what a batch cannot write: a relation, a primary key, an unknown name', async () => {
    await init();
    const em = orm!.em.fork();
    const author = em.create(BtAuthor, { name: 'A' });
    const post = em.create(BtPost, { title: 'p', author });
    const ctx = new (await import('../src/chain/chain.js')).DispatchContext('beforeCreate', em, orm!.getMetadata().get(BtPost), undefined, undefined);
    for (const property of ['author', 'id', 'nope']) {
      expect(() => ctx.set(post, property, 1)).toThrow(expect.objectContaining({ code: 'MOP_INVALID_ARGUMENT', entity: 'BtPost' }));
    }
    ctx.set(post, 'views', 3);
    expect(post.views).toBe(3);
  });
});

/** How many posts the per-entity run updated: one call each. */
function perEntityPostUpdates(calls: readonly string[]): number {
  return calls.filter(c => c === 'BtPost:beforeUpdate:1').length;
}

/** The query log without timings, which vary. */
function clean(queries: readonly string[]): string[] {
  return queries.map(q => q.replace(/\[took [^\]]*\]/g, '').replace(/\s+$/, ''));
}

test("'batch' is refused on events that have no batch form, and must be a boolean", () => {
  expect(() => hook('afterLoad' as 'beforeCreate', { batch: true })).toThrow(expect.objectContaining({ code: 'MOP_INVALID_PLUGIN', option: 'batch' }));
  expect(() => hook(['beforeSave', 'afterCommit'] as never, { batch: true })).toThrow(/'batch' is for beforeCreate, .* and afterChange hooks, not 'afterCommit'/);
  // One method, one batch form: before- and after-events call it differently.
  expect(() => hook(['beforeSave', 'afterSave'] as never, { batch: true })).toThrow(/cannot mix before-events, after-events and afterChange/);
  expect(() => hook('beforeCreate', { batch: 'yes' } as never)).toThrow(expect.objectContaining({ code: 'MOP_INVALID_PLUGIN', option: 'batch' }));
});
