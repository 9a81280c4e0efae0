import type { MikroORM, Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, expect, test } from 'vitest';
import { PluginRegistry, SoftDeletePlugin, TimestampPlugin, ValidationPlugin, pluginSystem, withPlugins } from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { columnOf, columnsOf, queryLog, rowById, statements, tableOf } from './support/fixtures-sql.js';

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });

@withPlugins(['timestamp'])
@Entity()
class TsArticle {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'integer' }) views: Opt<number> = 0;
  createdAt?: Date;
  updatedAt?: Date;
}

/** Names its own timestamp properties: `made` / `changed`. */
@withPlugins([{ timestamp: { createdAt: 'made', updatedAt: 'changed' } }])
@Entity()
class TsCustomNamed {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  made?: Date;
  changed?: Date;
}

/** Declares `createdAt` itself, on a column of its own: the plugin must leave the property alone. */
@withPlugins(['timestamp'])
@Entity()
class TsDeclared {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'datetime', fieldName: 'born_on' }) createdAt!: Date;
  updatedAt?: Date;
}

/** No plugins: gets no columns. */
@Entity()
class TsPlain {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const entities = [TsArticle, TsCustomNamed, TsDeclared, TsPlain];

// Whole seconds: MariaDB's DATETIME keeps no milliseconds.
const past = new Date('2020-01-02T03:04:05.000Z');
const earlier = new Date('2001-02-03T04:05:06.000Z');

describeEachDatabase('timestamp plugin', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async (extra: object = {}) => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })], ...extra }));

  /** A property's value as stored, read back through a fresh entity manager. */
  const stored = async <T extends object>(entity: new () => T, id: number): Promise<T> => {
    const found = await orm!.em.fork().findOne(entity, { id } as never);
    expect(found).not.toBeNull();
    return found!;
  };

  test('the schema generator creates created_at and updated_at for an entity that lacks them', async () => {
    const orm = await init();
    expect(await columnsOf(orm, TsArticle)).toEqual(['created_at', 'id', 'title', 'updated_at', 'views']);
    const ddl = await orm.schema.getCreateSchemaSQL();
    const create = ddl.split(';').find((s: string) => new RegExp(`create table [\`"]?${tableOf(orm, TsArticle)}[\`"]?`, 'i').test(s))!;
    expect(create).toMatch(/created_at/);
    expect(create).toMatch(/updated_at/);
  });

  test('an entity without the plugin gets no timestamp columns', async () => {
    const orm = await init();
    expect(await columnsOf(orm, TsPlain)).toEqual(['id', 'title']);
  });

  test('a timestamp property the entity declares itself is kept, with its own column', async () => {
    const orm = await init();
    expect(await columnsOf(orm, TsDeclared)).toEqual(['born_on', 'id', 'title', 'updated_at']);
    const em = orm.em.fork();
    const row = em.create(TsDeclared, { title: 'x' } as never);
    await em.flush();
    const raw = (await rowById(orm, TsDeclared, row.id))!;
    expect(raw.born_on).not.toBeNull();
    expect(raw.updated_at).not.toBeNull();
  });

  test('create sets createdAt and updatedAt to the same current time', async () => {
    const orm = await init();
    const before = Date.now();
    const em = orm.em.fork();
    const article = em.create(TsArticle, { title: 'hello' });
    await em.flush();
    const after = Date.now();

    const raw = (await rowById(orm, TsArticle, article.id))!;
    expect(raw.created_at).not.toBeNull();
    expect(raw.created_at).toEqual(raw.updated_at);
    const { createdAt } = await stored(TsArticle, article.id);
    // The column may drop milliseconds (MariaDB), so widen the window to whole seconds.
    expect(createdAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(createdAt!.getTime()).toBeLessThanOrEqual(after + 1000);
  });

  test('create sets both columns within the single INSERT', async () => {
    const log = queryLog();
    const orm = await init(log.options);
    const em = orm.em.fork();
    log.clear();
    em.create(TsArticle, { title: 'one statement' });
    await em.flush();
    const table = tableOf(orm, TsArticle);
    const inserts = statements(log.queries, 'insert', table);
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toMatch(/created_at/);
    expect(inserts[0]).toMatch(/updated_at/);
    expect(statements(log.queries, 'update', table)).toHaveLength(0);
  });

  test('an explicit createdAt (and updatedAt) given on create is kept', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const a = em.create(TsArticle, { title: 'dated', createdAt: earlier } as never);
    const b = em.create(TsArticle, { title: 'fully dated', createdAt: earlier, updatedAt: past } as never);
    await em.flush();

    const storedA = await stored(TsArticle, a.id);
    expect(storedA.createdAt!.toISOString()).toBe(earlier.toISOString());
    expect(storedA.updatedAt!.getTime()).toBeGreaterThan(past.getTime()); // set to now, not to createdAt
    const storedB = await stored(TsArticle, b.id);
    expect(storedB.createdAt!.toISOString()).toBe(earlier.toISOString());
    expect(storedB.updatedAt!.toISOString()).toBe(past.toISOString());
  });

  test('a real update moves updatedAt forward and leaves createdAt alone', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const article = em.create(TsArticle, { title: 'v1', createdAt: earlier, updatedAt: past } as never);
    await em.flush();
    const rawBefore = (await rowById(orm, TsArticle, article.id))!;

    const em2 = orm.em.fork();
    const loaded = await em2.findOneOrFail(TsArticle, article.id);
    loaded.title = 'v2';
    await em2.flush();

    const rawAfter = (await rowById(orm, TsArticle, article.id))!;
    expect(rawAfter.title).toBe('v2');
    expect(rawAfter.created_at).toEqual(rawBefore.created_at);
    expect(rawAfter.updated_at).not.toEqual(rawBefore.updated_at);
    const after = await stored(TsArticle, article.id);
    expect(after.createdAt!.toISOString()).toBe(earlier.toISOString());
    expect(after.updatedAt!.getTime()).toBeGreaterThan(past.getTime());
  });

  test('updatedAt is written in the same UPDATE as the change', async () => {
    const log = queryLog();
    const orm = await init(log.options);
    const em = orm.em.fork();
    const article = em.create(TsArticle, { title: 'v1', updatedAt: past } as never);
    await em.flush();
    log.clear();
    article.views = 7;
    await em.flush();
    const updates = statements(log.queries, 'update', tableOf(orm, TsArticle));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatch(/updated_at/);
    expect(updates[0]).toMatch(/views/);
  });

  test('a flush with no real change does not touch updatedAt', async () => {
    const log = queryLog();
    const orm = await init(log.options);
    const em = orm.em.fork();
    const article = em.create(TsArticle, { title: 'still', updatedAt: past } as never);
    await em.flush();
    const first = (await rowById(orm, TsArticle, article.id))!;

    log.clear();
    await em.flush(); // same entity manager, nothing changed
    article.title = 'still'; // assigning the same value is no change either
    await em.persist(article).flush();

    const em2 = orm.em.fork(); // freshly loaded, flushed untouched
    await em2.findOneOrFail(TsArticle, article.id);
    await em2.flush();

    expect(statements(log.queries, 'update', tableOf(orm, TsArticle))).toHaveLength(0);
    const second = (await rowById(orm, TsArticle, article.id))!;
    expect(second).toEqual(first);
    expect((await stored(TsArticle, article.id)).updatedAt!.toISOString()).toBe(past.toISOString());
  });

  test('custom property names get their own columns and behave like the defaults', async () => {
    const orm = await init();
    expect(await columnsOf(orm, TsCustomNamed)).toEqual(['changed', 'id', 'made', 'title']);
    expect(columnOf(orm, TsCustomNamed, 'made')).toBe('made');

    const em = orm.em.fork();
    const row = em.create(TsCustomNamed, { title: 'a', made: earlier, changed: past } as never);
    const fresh = em.create(TsCustomNamed, { title: 'b' });
    await em.flush();
    const rawFresh = (await rowById(orm, TsCustomNamed, fresh.id))!;
    expect(rawFresh.made).not.toBeNull();
    expect(rawFresh.made).toEqual(rawFresh.changed);

    row.title = 'a2';
    await em.flush();
    const after = await stored(TsCustomNamed, row.id);
    expect(after.made!.toISOString()).toBe(earlier.toISOString());
    expect(after.changed!.getTime()).toBeGreaterThan(past.getTime());
  });

  test('custom names: a no-op flush leaves the custom updated column alone', async () => {
    const orm = await init();
    const em = orm.em.fork();
    const row = em.create(TsCustomNamed, { title: 'a', changed: past } as never);
    await em.flush();
    const first = await rowById(orm, TsCustomNamed, row.id);
    await em.flush();
    const em2 = orm.em.fork();
    await em2.findOneOrFail(TsCustomNamed, row.id);
    await em2.flush();
    expect(await rowById(orm, TsCustomNamed, row.id)).toEqual(first);
    expect((await stored(TsCustomNamed, row.id)).changed!.toISOString()).toBe(past.toISOString());
  });
});
