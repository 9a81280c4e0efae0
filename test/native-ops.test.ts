// Native and bulk operations through the package's EntityManager: insert, insertMany, upsert,
// upsertMany, nativeUpdate and nativeDelete run the plugins; per-row mode runs the per-entity hooks.
// Every check reads the database with raw SQL. One test per cell of the coverage table in docs/built-in-plugins.md.
import type { EntityData, EntityName, FilterQuery, MikroORM, Opt, UpdateOptions } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { SqlEntityManager } from '@mikro-orm/sqlite';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  PluginRegistry,
  RowLimitError,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationError,
  ValidationPlugin,
  describeChain,
  hook,
  pluginSystem,
  withPluginEntityManager,
  withPlugins,
  withoutPlugins,
  type EntityChanges,
  type HookContext,
  type PluginSystemOptions,
} from '../src/index.js';
import { describeEachDatabase, type TestOptions } from './support/databases.js';
import { columnOf, epochMs as fixtureEpochMs, quote, sql, tableOf, type Row } from './support/fixtures-sql.js';

/** Epoch ms of a datetime column; also reads PostgreSQL's `…+00` offsets, which the fixture helper does not. */
const epochMs = (value: unknown): number => fixtureEpochMs(typeof value === 'string' ? value.replace(/([+-]\d\d)$/, '$1:00') : value);

declare module '../src/plugin-api.js' {
  interface PluginOptionsMap {
    noProbe: Record<string, never>;
    noKeep: Record<string, never>;
  }
}

// ------------------------------------------------------------------------------------ fixtures
interface Logged {
  event: string;
  args: unknown[];
}
const log: Logged[] = [];
const copy = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

/** Records every hook it gets, with copies of the arguments as they were when the hook ran. */
class ProbePlugin {
  @hook('beforeBulkUpdate')
  beforeBulkUpdate(entityName: string, where: unknown, data: Record<string, unknown>, ctx: HookContext): void {
    log.push({ event: 'beforeBulkUpdate', args: [entityName, copy(where), copy(data), ctx.event, ctx.meta.className, ctx.changeSet, ctx.plugin] });
  }

  @hook('afterBulkUpdate')
  afterBulkUpdate(entityName: string, where: unknown, data: Record<string, unknown>): void {
    log.push({ event: 'afterBulkUpdate', args: [entityName, copy(where), Object.keys(data).sort()] });
  }

  @hook('beforeBulkDelete', { before: ['softDelete'] })
  beforeBulkDelete(entityName: string, where: unknown, data: Record<string, unknown>, ctx: HookContext): void {
    log.push({ event: 'beforeBulkDelete', args: [entityName, copy(where), copy(data), ctx.event] });
  }

  @hook('afterBulkDelete')
  afterBulkDelete(entityName: string, where: unknown, data: Record<string, unknown>): void {
    log.push({ event: 'afterBulkDelete', args: [entityName, copy(where), copy(data)] });
  }

  @hook('beforeSave')
  beforeSave(entity: { title?: string }, ctx: HookContext): void {
    log.push({ event: `beforeSave:${ctx.event}`, args: [entity.title, ctx.changeSet === undefined] });
  }

  @hook('afterDelete')
  afterDelete(entity: { title?: string }): void {
    log.push({ event: 'afterDelete', args: [entity.title] });
  }

  @hook('afterChange')
  afterChange(entity: { title?: string }, changes: EntityChanges): void {
    log.push({ event: 'afterChange', args: [entity.title, changes.kind, Object.keys(changes.fields).sort()] });
  }

  @hook('afterSoftDelete')
  afterSoftDelete(entity: { title?: string }): void {
    log.push({ event: 'afterSoftDelete', args: [entity.title] });
  }
}

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });
registry.register('noProbe', ProbePlugin);

const notEmpty = (doc: { title?: string }) => (doc.title === '' ? [{ field: 'title', message: 'must not be empty' }] : []);

@withPlugins(['timestamp', 'softDelete', { validation: { validate: notEmpty } }, 'noProbe'])
@Entity()
class NoDoc {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string', unique: true }) slug!: string;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) hits: Opt<number> = 0;
  createdAt?: Date;
  updatedAt?: Date;
  deletedAt?: Date | null;
}

/** No plugins: the native operations must behave exactly as MikroORM's. */
@Entity()
class NoPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const entities = [NoDoc, NoPlain];

/** A user's own EntityManager subclass: its override must keep running, and ours too. */
const userCalls: string[] = [];
class UserEntityManager extends SqlEntityManager {
  override async nativeUpdate<Entity extends object>(
    entityName: EntityName<Entity>,
    where: FilterQuery<NoInfer<Entity>>,
    data: EntityData<Entity>,
    options?: UpdateOptions<Entity>,
  ): Promise<number> {
    userCalls.push(`nativeUpdate:${Object.keys(data).sort().join(',')}`);
    return super.nativeUpdate(entityName, where, data, options);
  }

  shout(): string {
    return 'mine';
  }
}

// Whole seconds: MariaDB's DATETIME keeps no milliseconds.
const past = new Date('2020-01-02T03:04:05.000Z');
const earlier = new Date('2001-02-03T04:05:06.000Z');

describeEachDatabase('native and bulk operations', db => {
  let orm: MikroORM | undefined;
  beforeEach(() => {
    log.length = 0;
    userCalls.length = 0;
  });
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });

  const init = async (options: PluginSystemOptions = {}, extra: TestOptions = {}) =>
    (orm = await db.init({ entities, extensions: [pluginSystem({ registry, ...options })], ...extra }));

  /** Raw rows of NoDoc (deleted ones included), by slug. */
  const rows = async (o: MikroORM): Promise<Record<string, Row>> => {
    const result = await sql(o, `select * from ${quote(o, tableOf(o, NoDoc))} order by ${quote(o, 'id')}`);
    return Object.fromEntries(result.map(r => [r.slug as string, r]));
  };
  const col = (o: MikroORM, property: string) => columnOf(o, NoDoc, property);

  /** Three live rows with old timestamps, and one soft-deleted in 2001. */
  const seed = async (o: MikroORM) => {
    const t = quote(o, tableOf(o, NoDoc));
    const cols = ['slug', 'title', 'hits', 'created_at', 'updated_at', 'deleted_at'].map(c => quote(o, c)).join(', ');
    for (const [slug, deleted] of [['a', null], ['b', null], ['c', null], ['gone', earlier]] as const) {
      await sql(o, `insert into ${t} (${cols}) values (?, ?, ?, ?, ?, ?)`, [slug, slug.toUpperCase(), 0, past, past, deleted]);
    }
    log.length = 0;
  };

  const atLeastSecond = (since: number) => (value: unknown) => epochMs(value) >= Math.floor(since / 1000) * 1000;

  // ---------------------------------------------------------------------------- the EntityManager class
  test('class: orm.em, forks, transactions and repositories carry the overrides and stay SQL entity managers', async () => {
    const o = await init();
    const em = o.em as SqlEntityManager;
    // By class name: a driver may carry its own copy of @mikro-orm/sql, whose class `instanceof` would not match.
    const chain: string[] = [];
    for (let proto = Object.getPrototypeOf(em); proto; proto = Object.getPrototypeOf(proto)) chain.push(proto.constructor.name);
    expect(chain).toContain('SqlEntityManager');
    expect(em.nativeDelete).not.toBe(SqlEntityManager.prototype.nativeDelete);
    expect(em.fork().nativeDelete).toBe(em.nativeDelete);
    await em.fork().transactional(async tx => {
      expect(tx.nativeUpdate).toBe(em.nativeUpdate);
    });
    expect(typeof em.fork().createQueryBuilder).toBe('function');
    await seed(o);
    // A repository delegates to its entity manager: the delete becomes a soft delete.
    expect(await o.em.fork().getRepository(NoDoc).nativeDelete({ slug: 'a' })).toBe(1);
    const after = await rows(o);
    expect(after.a![col(o, 'deletedAt')]).not.toBeNull();
  });

  test("class: a user's own EntityManager subclass keeps working; its override and the plugins' both run", async () => {
    const o = await init({}, { entityManager: UserEntityManager });
    expect(o.em).toBeInstanceOf(UserEntityManager);
    expect(o.em.fork()).toBeInstanceOf(UserEntityManager);
    expect((o.em.fork() as UserEntityManager).shout()).toBe('mine');
    await seed(o);
    await o.em.fork().nativeUpdate(NoDoc, { slug: 'a' }, { title: 'A2' });
    // Ours runs first (it extends the user's class) and hands the completed data to the user's override.
    expect(userCalls).toEqual(['nativeUpdate:title,updatedAt']);
    expect(log.map(l => l.event)).toEqual(['beforeBulkUpdate', 'afterBulkUpdate']);
    expect((await rows(o)).a![col(o, 'title')]).toBe('A2');
  });

  test('class: an entityManager already wrapped with withPluginEntityManager is not wrapped twice (hooks run once)', async () => {
    const Wrapped = withPluginEntityManager(UserEntityManager);
    expect(withPluginEntityManager(Wrapped)).toBe(Wrapped);
    const o = await init({}, { entityManager: Wrapped });
    expect(o.em.constructor).toBe(Wrapped);
    await seed(o);
    await o.em.fork().nativeUpdate(NoDoc, { slug: 'b' }, { title: 'B2' });
    expect(log.filter(l => l.event === 'beforeBulkUpdate')).toHaveLength(1);
    expect(userCalls).toHaveLength(1);
  });

  test('class: an entity without plugins is untouched: nativeDelete deletes, nativeUpdate writes only the data', async () => {
    const o = await init();
    const em = o.em.fork();
    const id = await em.insert(NoPlain, { title: 'x' });
    expect(await em.nativeUpdate(NoPlain, { id }, { title: 'y' })).toBe(1);
    expect(await sql(o, `select * from ${quote(o, tableOf(o, NoPlain))}`)).toEqual([{ id, title: 'y' }]);
    expect(await em.nativeDelete(NoPlain, { id })).toBe(1);
    expect(await sql(o, `select * from ${quote(o, tableOf(o, NoPlain))}`)).toEqual([]);
    expect(log).toEqual([]);
  });

  // ---------------------------------------------------------------------------- the unit of work, for comparison
  test('persist/flush / custom hooks: beforeSave runs as beforeCreate then beforeUpdate, afterChange after each write', async () => {
    const o = await init();
    const em = o.em.fork();
    const doc = em.create(NoDoc, { slug: 'f', title: 'flushed' });
    await em.flush();
    doc.title = 'changed';
    await em.flush();
    expect(log.map(l => [l.event, l.args[0]])).toEqual([
      ['beforeSave:beforeCreate', 'flushed'],
      ['afterChange', 'flushed'],
      ['beforeSave:beforeUpdate', 'changed'],
      ['afterChange', 'changed'],
    ]);
    expect(log.some(l => l.event.includes('Bulk') || l.event.includes('Upsert'))).toBe(false);
  });

  test('remove/flush: the softDelete veto makes it an update (deletedAt and updatedAt set); beforeSave, afterSoftDelete and afterChange run', async () => {
    const o = await init();
    await seed(o);
    const em = o.em.fork();
    em.remove(await em.findOneOrFail(NoDoc, { slug: 'a' }));
    log.length = 0;
    const since = Date.now();
    await em.flush();
    expect(log.map(l => l.event)).toEqual(['beforeSave:beforeUpdate', 'afterSoftDelete', 'afterChange']);
    const row = (await rows(o)).a!;
    expect(row[col(o, 'deletedAt')]).toSatisfy(atLeastSecond(since));
    expect(row[col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
  });

  // ---------------------------------------------------------------------------- insert / insertMany
  test('insert / timestamp: a data object gets createdAt and updatedAt; the caller’s object is not changed', async () => {
    const o = await init();
    const since = Date.now();
    const dto = { slug: 'i1', title: 'inserted' };
    const id = await o.em.fork().insert(NoDoc, dto);
    expect(dto).toEqual({ slug: 'i1', title: 'inserted' });
    const row = (await rows(o)).i1!;
    expect(row.id).toBe(id);
    expect(row[col(o, 'createdAt')]).toSatisfy(atLeastSecond(since));
    expect(epochMs(row[col(o, 'updatedAt')])).toBe(epochMs(row[col(o, 'createdAt')]));
    expect(row[col(o, 'deletedAt')]).toBeNull();
  });

  test('insert / timestamp: an entity instance gets both; values the caller set are kept', async () => {
    const o = await init();
    const em = o.em.fork();
    const since = Date.now();
    await em.insert(em.create(NoDoc, { slug: 'i2', title: 'entity' }));
    await em.insert(NoDoc, { slug: 'i3', title: 'dated', createdAt: earlier } as never);
    const after = await rows(o);
    expect(after.i2![col(o, 'createdAt')]).toSatisfy(atLeastSecond(since));
    expect(after.i2![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
    expect(epochMs(after.i3![col(o, 'createdAt')])).toBe(earlier.getTime());
    expect(after.i3![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
  });

  test('insert / validation: an invalid row is rejected with ValidationError and nothing is written', async () => {
    const o = await init();
    await expect(o.em.fork().insert(NoDoc, { slug: 'bad', title: '' })).rejects.toBeInstanceOf(ValidationError);
    expect(await rows(o)).toEqual({});
  });

  test('insert / custom hooks: beforeCreate and beforeSave hooks get the row, with no changeSet', async () => {
    const o = await init();
    await o.em.fork().insert(NoDoc, { slug: 'h', title: 'hooked' });
    expect(log).toEqual([{ event: 'beforeSave:beforeCreate', args: ['hooked', true] }]);
  });

  test('insert / softDelete: the row is inserted live (deletedAt null), and the filter then shows it', async () => {
    const o = await init();
    await o.em.fork().insert(NoDoc, { slug: 'live', title: 'live' });
    expect((await rows(o)).live![col(o, 'deletedAt')]).toBeNull();
    expect(await o.em.fork().count(NoDoc, { slug: 'live' })).toBe(1);
  });

  test('insertMany / timestamp: every row gets createdAt and updatedAt', async () => {
    const o = await init();
    const since = Date.now();
    const ids = await o.em.fork().insertMany(NoDoc, [
      { slug: 'm1', title: 'one' },
      { slug: 'm2', title: 'two', updatedAt: past } as never,
    ]);
    expect(ids.length).toBeGreaterThan(0);
    const after = await rows(o);
    for (const slug of ['m1', 'm2']) expect(after[slug]![col(o, 'createdAt')]).toSatisfy(atLeastSecond(since));
    expect(after.m1![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
    expect(epochMs(after.m2![col(o, 'updatedAt')])).toBe(past.getTime());
  });

  test('insertMany / validation: one invalid row rejects the whole call before anything is written', async () => {
    const o = await init();
    const call = o.em.fork().insertMany(NoDoc, [
      { slug: 'ok', title: 'fine' },
      { slug: 'bad', title: '' },
    ]);
    await expect(call).rejects.toMatchObject({ code: 'MOP_VALIDATION_FAILED', issues: [{ field: 'title', message: 'must not be empty' }] });
    expect(await rows(o)).toEqual({});
  });

  test('insertMany / custom hooks: the beforeCreate chain runs once per row, in order; entities work too', async () => {
    const o = await init();
    const em = o.em.fork();
    await em.insertMany(NoDoc, [
      { slug: 'x', title: 'first' },
      { slug: 'y', title: 'second' },
    ]);
    await em.insertMany([em.create(NoDoc, { slug: 'z', title: 'third' })]);
    expect(log.map(l => l.args[0])).toEqual(['first', 'second', 'third']);
    expect(log.every(l => l.event === 'beforeSave:beforeCreate')).toBe(true);
    expect(Object.keys(await rows(o))).toEqual(['x', 'y', 'z']);
  });

  test('insertMany / softDelete: rows are inserted live', async () => {
    const o = await init();
    await o.em.fork().insertMany(NoDoc, [{ slug: 'l1', title: 'a' }, { slug: 'l2', title: 'b' }]);
    expect(Object.values(await rows(o)).map(r => r[col(o, 'deletedAt')])).toEqual([null, null]);
    expect(await o.em.fork().count(NoDoc, {})).toBe(2);
  });

  // ---------------------------------------------------------------------------- nativeUpdate
  test('nativeUpdate / timestamp: sets updatedAt on the matched rows only, keeps createdAt, returns the count', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    const data = { title: 'new' };
    expect(await o.em.fork().nativeUpdate(NoDoc, { slug: { $in: ['a', 'b'] } }, data)).toBe(2);
    expect(data).toEqual({ title: 'new' });
    const after = await rows(o);
    for (const slug of ['a', 'b']) {
      expect(after[slug]![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
      expect(epochMs(after[slug]![col(o, 'createdAt')])).toBe(past.getTime());
    }
    expect(epochMs(after.c![col(o, 'updatedAt')])).toBe(past.getTime());
  });

  test('nativeUpdate / timestamp: an updatedAt given in the data is kept', async () => {
    const o = await init();
    await seed(o);
    await o.em.fork().nativeUpdate(NoDoc, { slug: 'a' }, { title: 'new', updatedAt: earlier });
    expect(epochMs((await rows(o)).a![col(o, 'updatedAt')])).toBe(earlier.getTime());
  });

  test('nativeUpdate / softDelete: soft-deleted rows are not updated (filter), unless filters: false', async () => {
    const o = await init();
    await seed(o);
    expect(await o.em.fork().nativeUpdate(NoDoc, { slug: 'gone' }, { title: 'x' })).toBe(0);
    expect((await rows(o)).gone![col(o, 'title')]).toBe('GONE');
    expect(await o.em.fork().nativeUpdate(NoDoc, { slug: 'gone' }, { deletedAt: null }, { filters: false })).toBe(1);
    expect((await rows(o)).gone![col(o, 'deletedAt')]).toBeNull();
  });

  test('nativeUpdate / custom hooks: beforeBulkUpdate and afterBulkUpdate get (entityName, where, data) in order', async () => {
    const o = await init();
    await seed(o);
    await o.em.fork().nativeUpdate(NoDoc, { slug: 'a' }, { title: 'new' });
    expect(log).toEqual([
      // The probe runs after timestamp (priority -100), so it already sees updatedAt.
      { event: 'beforeBulkUpdate', args: ['NoDoc', { slug: 'a' }, { title: 'new', updatedAt: expect.any(Date) }, 'beforeBulkUpdate', 'NoDoc', undefined, 'noProbe'] },
      { event: 'afterBulkUpdate', args: ['NoDoc', { slug: 'a' }, ['title', 'updatedAt']] },
    ]);
    expect(describeChain(o, NoDoc, 'beforeBulkUpdate').map(h => `${h.plugin}.${h.method}`)).toEqual(['timestamp.stampBulkUpdate', 'softDelete.bulkUpdate', 'noProbe.beforeBulkUpdate']);
  });

  test('nativeUpdate / validation: bulk data is not validated (no entity); perRow: true validates each row and writes nothing on failure', async () => {
    const o = await init();
    await seed(o);
    expect(await o.em.fork().nativeUpdate(NoDoc, { slug: 'a' }, { title: '' })).toBe(1);
    const before = await rows(o);
    await expect(o.em.fork().nativeUpdate(NoDoc, { slug: { $in: ['b', 'c'] } }, { title: '' }, { perRow: true })).rejects.toBeInstanceOf(ValidationError);
    expect(await rows(o)).toEqual(before);
  });

  test('nativeUpdate / withoutPlugins: switched-off (and registry-disabled) plugins get no bulk hooks', async () => {
    const o = await init();
    await seed(o);
    await withoutPlugins(['timestamp', 'noProbe'], () => o.em.fork().nativeUpdate(NoDoc, { slug: 'a' }, { title: 'quiet' }));
    expect(epochMs((await rows(o)).a![col(o, 'updatedAt')])).toBe(past.getTime());
    expect(log).toEqual([]);
    // Disabled in the registry: the same.
    registry.disable('noProbe');
    try {
      await o.em.fork().nativeUpdate(NoDoc, { slug: 'b' }, { title: 'quiet too' });
    } finally {
      registry.enable('noProbe');
    }
    expect(log).toEqual([]);
    await o.em.fork().nativeUpdate(NoDoc, { slug: 'c' }, { title: 'heard' });
    expect(log.map(l => l.event)).toEqual(['beforeBulkUpdate', 'afterBulkUpdate']);
  });

  // ---------------------------------------------------------------------------- nativeDelete
  test('nativeDelete / softDelete: becomes a soft update; rows stay with deletedAt set; count returned; reads hide them', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    expect(await o.em.fork().nativeDelete(NoDoc, { slug: { $in: ['a', 'b', 'gone'] } })).toBe(2);
    const after = await rows(o);
    expect(Object.keys(after)).toEqual(['a', 'b', 'c', 'gone']);
    for (const slug of ['a', 'b']) expect(after[slug]![col(o, 'deletedAt')]).toSatisfy(atLeastSecond(since));
    // Already deleted: the filter keeps it out, so it keeps its own deletion time.
    expect(epochMs(after.gone![col(o, 'deletedAt')])).toBe(earlier.getTime());
    expect(after.c![col(o, 'deletedAt')]).toBeNull();
    expect((await o.em.fork().find(NoDoc, {})).map(d => d.slug)).toEqual(['c']);
  });

  test('nativeDelete / timestamp: the soft delete also sets updatedAt (it runs through nativeUpdate)', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    await o.em.fork().nativeDelete(NoDoc, { slug: 'a' });
    const after = await rows(o);
    expect(after.a![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
    expect(epochMs(after.b![col(o, 'updatedAt')])).toBe(past.getTime());
  });

  test('nativeDelete / softDelete: hard: true really deletes live rows; deleted ones need filters: false too', async () => {
    const o = await init();
    await seed(o);
    expect(await o.em.fork().nativeDelete(NoDoc, { slug: { $in: ['a', 'gone'] } }, { hard: true })).toBe(1);
    expect(Object.keys(await rows(o))).toEqual(['b', 'c', 'gone']);
    expect(await o.em.fork().nativeDelete(NoDoc, { slug: 'gone' }, { hard: true, filters: false })).toBe(1);
    expect(Object.keys(await rows(o))).toEqual(['b', 'c']);
  });

  test('nativeDelete / custom hooks: soft: beforeBulkDelete then the update events; hard: beforeBulkDelete and afterBulkDelete', async () => {
    const o = await init();
    await seed(o);
    await o.em.fork().nativeDelete(NoDoc, { slug: 'a' });
    expect(log.map(l => [l.event, ...l.args.slice(0, 3)])).toEqual([
      ['beforeBulkDelete', 'NoDoc', { slug: 'a' }, {}],
      ['beforeBulkUpdate', 'NoDoc', { slug: 'a' }, { deletedAt: expect.any(Date), deletionBatch: expect.any(String), updatedAt: expect.any(Date) }],
      ['afterBulkUpdate', 'NoDoc', { slug: 'a' }, ['deletedAt', 'deletionBatch', 'updatedAt']],
    ]);
    log.length = 0;
    await o.em.fork().nativeDelete(NoDoc, { slug: 'b' }, { hard: true });
    expect(log.map(l => [l.event, ...l.args.slice(0, 2)])).toEqual([
      ['beforeBulkDelete', 'NoDoc', { slug: 'b' }],
      ['afterBulkDelete', 'NoDoc', { slug: 'b' }],
    ]);
  });

  test('nativeDelete / withoutPlugins: with softDelete switched off the rows are really deleted', async () => {
    const o = await init();
    await seed(o);
    expect(await withoutPlugins(['softDelete'], () => o.em.fork().nativeDelete(NoDoc, { slug: 'a' }))).toBe(1);
    expect(Object.keys(await rows(o))).toEqual(['b', 'c', 'gone']);
    expect(log.map(l => l.event)).toEqual(['beforeBulkDelete', 'afterBulkDelete']);
  });

  test('nativeDelete / veto without data: a hook vetoing with nothing to write deletes and updates nothing', async () => {
    const o = await init();
    await seed(o);
    // softDelete off, a veto from another source: the probe cannot veto, so use a registry of our own.
    class KeepPlugin {
      @hook('beforeBulkDelete')
      keep(): false {
        return false;
      }
    }
    const keepRegistry = new PluginRegistry().register('noKeep', KeepPlugin);
    await o.close();
    orm = await db.init({ entities: [NoPlain], extensions: [pluginSystem({ registry: keepRegistry, global: ['noKeep'] })] });
    const id = await orm.em.fork().insert(NoPlain, { title: 'kept' });
    expect(await orm.em.fork().nativeDelete(NoPlain, { id })).toBe(0);
    expect(await sql(orm, `select * from ${quote(orm, tableOf(orm, NoPlain))}`)).toEqual([{ id, title: 'kept' }]);
    expect(await orm.em.fork().nativeDelete(NoPlain, { id }, { hard: true })).toBe(1);
  });

  // ---------------------------------------------------------------------------- upsert / upsertMany
  test('upsert / timestamp: an insert gets both; a conflict keeps createdAt and moves updatedAt', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    await o.em.fork().upsert(NoDoc, { slug: 'new', title: 'N' });
    await o.em.fork().upsert(NoDoc, { slug: 'a', title: 'A2' });
    const after = await rows(o);
    expect(after.new![col(o, 'createdAt')]).toSatisfy(atLeastSecond(since));
    expect(after.new![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
    expect(after.a![col(o, 'title')]).toBe('A2');
    expect(epochMs(after.a![col(o, 'createdAt')])).toBe(past.getTime());
    expect(after.a![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
  });

  test('upsert / validation: an invalid row is rejected and nothing is written', async () => {
    const o = await init();
    await seed(o);
    const before = await rows(o);
    await expect(o.em.fork().upsert(NoDoc, { slug: 'a', title: '' })).rejects.toBeInstanceOf(ValidationError);
    await expect(o.em.fork().upsert(NoDoc, { slug: 'zz', title: '' })).rejects.toBeInstanceOf(ValidationError);
    expect(await rows(o)).toEqual(before);
  });

  test('upsert / custom hooks: beforeSave runs once per upsert as beforeUpsert (not twice with MikroORM’s own beforeUpsert)', async () => {
    const o = await init();
    const em = o.em.fork();
    await em.upsert(NoDoc, { slug: 'u', title: 'dto' });
    await em.upsert(em.create(NoDoc, { slug: 'v', title: 'entity' }));
    expect(log).toEqual([
      { event: 'beforeSave:beforeUpsert', args: ['dto', true] },
      { event: 'beforeSave:beforeUpsert', args: ['entity', true] },
    ]);
  });

  test('upsert / custom hooks: with upsertManaged: false, a row merged into a managed entity gets beforeUpdate at the flush instead', async () => {
    const o = await init({}, { upsertManaged: false });
    const em = o.em.fork();
    await em.insert(NoDoc, { slug: 'u', title: 'dto' });
    const managed = await em.findOneOrFail(NoDoc, { slug: 'u' });
    log.length = 0;
    // MikroORM writes nothing here (it assigns to the managed entity), so neither do the upsert hooks run.
    await em.upsert(NoDoc, { id: managed.id, slug: 'u', title: 'merged' });
    expect(log).toEqual([]);
    await em.flush();
    expect(log.map(l => l.event)).toEqual(['beforeSave:beforeUpdate', 'afterChange']);
    expect((await rows(o)).u![col(o, 'title')]).toBe('merged');
  });

  test('upsert / softDelete: upserting onto a soft-deleted row keeps it deleted (the row is merged, deletedAt not touched)', async () => {
    const o = await init();
    await seed(o);
    await o.em.fork().upsert(NoDoc, { slug: 'gone', title: 'again' });
    const after = await rows(o);
    expect(after.gone![col(o, 'title')]).toBe('again');
    expect(epochMs(after.gone![col(o, 'deletedAt')])).toBe(earlier.getTime());
  });

  test('upsertMany / timestamp: inserted rows get both; conflicting rows keep createdAt and get a new updatedAt', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    await o.em.fork().upsertMany(NoDoc, [
      { slug: 'a', title: 'A2' },
      { slug: 'n1', title: 'N1' },
    ]);
    const after = await rows(o);
    expect(epochMs(after.a![col(o, 'createdAt')])).toBe(past.getTime());
    expect(after.a![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
    expect(after.n1![col(o, 'createdAt')]).toSatisfy(atLeastSecond(since));
    expect(after.n1![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
  });

  test('upsertMany / validation: one invalid row rejects the call and nothing is written', async () => {
    const o = await init();
    await seed(o);
    const before = await rows(o);
    const call = o.em.fork().upsertMany(NoDoc, [
      { slug: 'a', title: 'fine' },
      { slug: 'n', title: '' },
    ]);
    await expect(call).rejects.toBeInstanceOf(ValidationError);
    expect(await rows(o)).toEqual(before);
  });

  test('upsertMany / custom hooks: beforeSave runs once per row, also when MikroORM splits the rows into batches', async () => {
    const o = await init();
    await o.em.fork().upsertMany(
      NoDoc,
      ['p', 'q', 'r'].map(slug => ({ slug, title: slug })),
      { batchSize: 2 },
    );
    expect(log).toEqual(['p', 'q', 'r'].map(t => ({ event: 'beforeSave:beforeUpsert', args: [t, true] })));
    expect(Object.keys(await rows(o))).toEqual(['p', 'q', 'r']);
  });

  test('upsertMany / softDelete: soft-deleted rows stay deleted; new rows are live', async () => {
    const o = await init();
    await seed(o);
    await o.em.fork().upsertMany(NoDoc, [
      { slug: 'gone', title: 'again' },
      { slug: 'fresh', title: 'new' },
    ]);
    const after = await rows(o);
    expect(epochMs(after.gone![col(o, 'deletedAt')])).toBe(earlier.getTime());
    expect(after.fresh![col(o, 'deletedAt')]).toBeNull();
  });

  test('upsert / withoutPlugins: a switched-off plugin is skipped (validation off: the row is written)', async () => {
    const o = await init();
    await withoutPlugins(['validation'], () => o.em.fork().upsert(NoDoc, { slug: 's', title: '' }));
    expect((await rows(o)).s![col(o, 'title')]).toBe('');
    expect(log.map(l => l.event)).toEqual(['beforeSave:beforeUpsert']);
  });

  // ---------------------------------------------------------------------------- per-row mode
  test('perRow nativeUpdate: loads the rows and flushes, so beforeUpdate/afterChange run and updatedAt is set; no bulk events', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    expect(await o.em.fork().nativeUpdate(NoDoc, { slug: { $in: ['a', 'b', 'gone'] } }, { title: 'per' }, { perRow: true })).toBe(2);
    const after = await rows(o);
    for (const slug of ['a', 'b']) {
      expect(after[slug]![col(o, 'title')]).toBe('per');
      expect(after[slug]![col(o, 'updatedAt')]).toSatisfy(atLeastSecond(since));
    }
    expect(after.gone![col(o, 'title')]).toBe('GONE');
    expect(log.map(l => [l.event, ...l.args.slice(0, 2)])).toEqual([
      ['beforeSave:beforeUpdate', 'per', false],
      ['beforeSave:beforeUpdate', 'per', false],
      ['afterChange', 'per', 'update'],
      ['afterChange', 'per', 'update'],
    ]);
  });

  test('perRow runs in the caller’s transaction: a rollback undoes its writes', async () => {
    const o = await init();
    await seed(o);
    const before = await rows(o);
    const failing = o.em.fork().transactional(async tx => {
      expect(await tx.nativeUpdate(NoDoc, { slug: 'a' }, { title: 'in tx' }, { perRow: true })).toBe(1);
      expect(await tx.nativeDelete(NoDoc, { slug: 'b' }, { perRow: true, hard: true })).toBe(1);
      throw new Error('roll back');
    });
    await expect(failing).rejects.toThrow('roll back');
    expect(await rows(o)).toEqual(before);
  });

  test('perRow nativeDelete: each row is removed through a flush: the softDelete veto, soft-delete events and afterChange run', async () => {
    const o = await init();
    await seed(o);
    expect(await o.em.fork().nativeDelete(NoDoc, { slug: { $in: ['a', 'b'] } }, { perRow: true })).toBe(2);
    const after = await rows(o);
    expect(after.a![col(o, 'deletedAt')]).not.toBeNull();
    expect(after.b![col(o, 'deletedAt')]).not.toBeNull();
    const events = log.map(l => l.event);
    expect(events.filter(e => e === 'afterSoftDelete')).toHaveLength(2);
    expect(events.filter(e => e === 'afterChange')).toHaveLength(2);
    expect(events.some(e => e.includes('Bulk'))).toBe(false);
  });

  test('perRow nativeDelete with hard: true: the rows are really deleted and afterDelete runs per row', async () => {
    const o = await init();
    await seed(o);
    expect(await o.em.fork().nativeDelete(NoDoc, { slug: { $in: ['a', 'b'] } }, { perRow: true, hard: true })).toBe(2);
    expect(Object.keys(await rows(o))).toEqual(['c', 'gone']);
    expect(log.filter(l => l.event === 'afterDelete').map(l => l.args[0])).toEqual(['A', 'B']);
  });

  test('perRow row limit: more matching rows than the limit fails with MOP_ROW_LIMIT naming entity and limit; nothing changes', async () => {
    const o = await init({ rowLimit: 2 });
    await seed(o);
    const before = await rows(o);
    const update = o.em.fork().nativeUpdate(NoDoc, {}, { title: 'all' }, { perRow: true });
    await expect(update).rejects.toBeInstanceOf(RowLimitError);
    await expect(update).rejects.toMatchObject({ code: 'MOP_ROW_LIMIT', entity: 'NoDoc', limit: 2, message: expect.stringMatching(/NoDoc.*more than 2 rows/) });
    const remove = o.em.fork().nativeDelete(NoDoc, {}, { perRow: true, rowLimit: 1 });
    await expect(remove).rejects.toMatchObject({ code: 'MOP_ROW_LIMIT', limit: 1 });
    expect(await rows(o)).toEqual(before);
    expect(log).toEqual([]);
    // Within the limit it goes through.
    expect(await o.em.fork().nativeDelete(NoDoc, {}, { perRow: true, rowLimit: 3 })).toBe(3);
  });

  // ---------------------------------------------------------------------------- what is not covered
  // QueryBuilder writes run as nativeUpdate/nativeDelete; test/query-builder.test.ts covers them in detail.
  test('QueryBuilder update()/delete(): run as nativeUpdate/nativeDelete (updatedAt, bulk events, a soft delete)', async () => {
    const o = await init();
    await seed(o);
    const since = Date.now();
    const em = o.em.fork() as SqlEntityManager;
    await em.createQueryBuilder(NoDoc).update({ title: 'qb' }).where({ slug: 'a' }).execute();
    await em.createQueryBuilder(NoDoc).delete().where({ slug: 'b' }).execute();
    const after = await rows(o);
    expect(after.a![col(o, 'title')]).toBe('qb');
    expect(atLeastSecond(since)(after.a![col(o, 'updatedAt')])).toBe(true);
    expect(after.b![col(o, 'deletedAt')]).not.toBeNull();
    expect(log.map(l => l.event)).toEqual(['beforeBulkUpdate', 'afterBulkUpdate', 'beforeBulkDelete', 'beforeBulkUpdate', 'afterBulkUpdate']);
  });

  test('not covered: em.getKysely() writes bypass the plugins', async () => {
    const o = await init();
    await seed(o);
    const kysely = (o.em.fork() as SqlEntityManager).getKysely<any>();
    await kysely.updateTable(tableOf(o, NoDoc)).set({ title: 'ky' }).where('slug', '=', 'a').execute();
    await kysely.deleteFrom(tableOf(o, NoDoc)).where('slug', '=', 'b').execute();
    const after = await rows(o);
    expect(after.a![col(o, 'title')]).toBe('ky');
    expect(epochMs(after.a![col(o, 'updatedAt')])).toBe(past.getTime());
    expect(after.b).toBeUndefined();
    expect(log).toEqual([]);
  });

  test('not covered: raw SQL (em.execute) bypasses the plugins', async () => {
    const o = await init();
    await seed(o);
    const t = quote(o, tableOf(o, NoDoc));
    await o.em.fork().execute(`update ${t} set ${quote(o, 'title')} = 'raw' where ${quote(o, 'slug')} = 'a'`);
    await o.em.fork().execute(`delete from ${t} where ${quote(o, 'slug')} = 'b'`);
    const after = await rows(o);
    expect(after.a![col(o, 'title')]).toBe('raw');
    expect(epochMs(after.a![col(o, 'updatedAt')])).toBe(past.getTime());
    expect(after.b).toBeUndefined();
    expect(log).toEqual([]);
  });
});
