import { Reference, wrap } from '@mikro-orm/core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { cacheMetrics, cachePluginOf, memoryStore } from '../src/cache.js';
import { pluginSystem, restore, withDeleted, withoutPlugins } from '../src/index.js';
import { cacheEntities, cacheRegistry, LoadSpyPlugin, Member, Note, selects, storeSetting, Task } from './support/cache-fixtures.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';
import { queryLog } from './support/fixtures-sql.js';

const registry = cacheRegistry();

describeEachDatabase('cache plugin (memory store)', db => {
  let orm: TestOrm;
  const log = queryLog();
  let ada: number;

  beforeEach(async () => {
    storeSetting.store = 'memory';
    LoadSpyPlugin.loaded = [];
    orm = await db.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })], ...log.options });
    const em = orm.em.fork();
    const member = em.create(Member, { name: 'Ada', score: 1 });
    await em.flush();
    ada = member.id;
    log.clear();
  });
  afterEach(async () => {
    await cachePluginOf(orm)?.close();
    await orm.close();
  });

  const memberSelects = () => selects(log.queries, 'member').length;

  test('findOne by primary key: the second read comes from the cache, as a managed entity with afterLoad run', async () => {
    const first = await orm.em.fork().findOne(Member, ada);
    expect(first?.name).toBe('Ada');
    expect(memberSelects()).toBe(1);
    const em = orm.em.fork();
    const hit = await em.findOne(Member, ada);
    expect(memberSelects()).toBe(1);
    expect(hit).toBeInstanceOf(Member);
    expect(hit!.name).toBe('Ada');
    expect(hit!.joinedAt).toBeInstanceOf(Date);
    expect(hit!.joinedAt.toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(wrap(hit!, true).__managed).toBe(true);
    expect(em.getUnitOfWork().getById(Member, ada)).toBe(hit);
    expect(LoadSpyPlugin.loaded).toEqual(['Member:Ada', 'Member:Ada']);
    // The hit is a normal managed entity: changing it and flushing writes only the change.
    hit!.score = 5;
    await em.flush();
    expect(log.queries.filter(q => /\bupdate\b/i.test(q))).toHaveLength(1);
    expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 1, misses: 1, sets: 1, invalidations: 1 });
  });

  test('findOneOrFail, { id } and reference loads use the cache too', async () => {
    await orm.em.fork().findOne(Member, ada);
    await orm.em.fork().findOneOrFail(Member, ada);
    await orm.em.fork().findOne(Member, { id: ada });
    const em = orm.em.fork();
    const ref = em.getReference(Member, ada);
    await wrap(ref).init();
    expect(ref.name).toBe('Ada');
    expect(wrap(ref).isInitialized()).toBe(true);
    const em2 = orm.em.fork();
    const loaded = await Reference.create(em2.getReference(Member, ada)).load();
    expect(loaded?.name).toBe('Ada');
    expect(memberSelects()).toBe(1);
    expect(cacheMetrics(orm, Member).hits).toBe(4);
    await expect(orm.em.fork().findOneOrFail(Member, 999_999)).rejects.toThrow();
  });

  test('the identity map wins: a loaded entity with local changes is returned as is', async () => {
    await orm.em.fork().findOne(Member, ada);
    const em = orm.em.fork();
    const mine = await em.findOneOrFail(Member, ada);
    mine.name = 'local';
    expect(await em.findOne(Member, ada)).toBe(mine);
    expect(mine.name).toBe('local');
  });

  test('an update drops the entry after it commits; the next read sees it', async () => {
    await orm.em.fork().findOne(Member, ada);
    const em = orm.em.fork();
    const m = await em.findOneOrFail(Member, ada);
    m.name = 'Ada Lovelace';
    await em.flush();
    expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Ada Lovelace');
    expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Ada Lovelace');
    expect(memberSelects()).toBe(2);
  });

  test('inside a transaction the entry is dropped only at the commit; a rollback leaves the cache as it was', async () => {
    await orm.em.fork().findOne(Member, ada);
    await expect(
      orm.em.fork().transactional(async em => {
        const m = await em.findOneOrFail(Member, ada);
        m.name = 'doomed';
        await em.flush();
        await em.nativeUpdate(Member, { id: ada }, { score: 99 });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    log.clear();
    const after = await orm.em.fork().findOneOrFail(Member, ada);
    expect(after.name).toBe('Ada');
    expect(after.score).toBe(1);
    expect(memberSelects()).toBe(0);
    expect(cacheMetrics(orm, Member).invalidations).toBe(0);

    await orm.em.fork().transactional(async em => {
      const m = await em.findOneOrFail(Member, ada);
      m.name = 'committed';
      await em.flush();
      // Another em reading now still gets the committed value (the write is not committed yet).
      expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Ada');
    });
    expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('committed');
  });

  test('soft delete, restore and hard delete: a deleted row is never served', async () => {
    await orm.em.fork().findOne(Member, ada);
    const em = orm.em.fork();
    em.remove(await em.findOneOrFail(Member, ada));
    await em.flush();
    expect(await orm.em.fork().findOne(Member, ada)).toBeNull();
    expect(await orm.em.fork().findOne(Member, ada)).toBeNull();
    // Visible with the filter lifted: that is another entry.
    expect((await orm.em.fork().findOne(Member, ada, withDeleted()))?.deletedAt).toBeInstanceOf(Date);
    expect((await orm.em.fork().findOne(Member, ada, withDeleted()))?.deletedAt).toBeInstanceOf(Date);
    expect(await orm.em.fork().findOne(Member, ada)).toBeNull();
    const em2 = orm.em.fork();
    restore(em2, (await em2.findOne(Member, ada, withDeleted()))!);
    await em2.flush();
    expect((await orm.em.fork().findOne(Member, ada))?.deletedAt).toBeNull();
    await withoutPlugins(['softDelete'], async () => {
      const em3 = orm.em.fork();
      em3.remove(await em3.findOneOrFail(Member, ada));
      await em3.flush();
    });
    expect(await orm.em.fork().findOne(Member, ada)).toBeNull();
    expect(await orm.em.fork().findOne(Member, ada, withDeleted())).toBeNull();
  });

  test('nativeUpdate and nativeDelete drop the entity type after they commit', async () => {
    const em = orm.em.fork();
    const bob = em.create(Member, { name: 'Bob' });
    await em.flush();
    await orm.em.fork().findOne(Member, ada);
    await orm.em.fork().findOne(Member, bob.id);
    await orm.em.fork().nativeUpdate(Member, { name: 'Ada' }, { score: 7 });
    expect((await orm.em.fork().findOneOrFail(Member, ada)).score).toBe(7);
    await orm.em.fork().findOne(Member, bob.id);
    await orm.em.fork().nativeDelete(Member, { id: bob.id });
    expect(await orm.em.fork().findOne(Member, bob.id)).toBeNull();
    await orm.em.fork().nativeDelete(Member, { id: bob.id }, { hard: true, filters: false });
    expect(await orm.em.fork().findOne(Member, bob.id, withDeleted())).toBeNull();
  });

  test('QueryBuilder update() and delete() drop the entity type after they commit', async () => {
    await orm.em.fork().findOne(Member, ada);
    await orm.em.fork().createQueryBuilder(Member).update({ score: 8 }).where({ id: ada }).execute();
    const hitsBefore = cacheMetrics(orm, Member).hits;
    expect((await orm.em.fork().findOneOrFail(Member, ada)).score).toBe(8);
    expect(cacheMetrics(orm, Member).hits).toBe(hitsBefore);
    await orm.em.fork().findOne(Member, ada);
    await orm.em.fork().createQueryBuilder(Member).delete().where({ id: ada }).execute();
    expect(await orm.em.fork().findOne(Member, ada)).toBeNull();
  });

  test('em.upsert drops the entity type after it commits', async () => {
    await orm.em.fork().findOne(Member, ada);
    await orm.em.fork().upsert(Member, { id: ada, name: 'Upserted', score: 2, joinedAt: new Date('2024-05-06T07:08:09.000Z') });
    expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('Upserted');
  });

  test('a fill that raced a committed write is refused (generation stamp)', async () => {
    let reached!: () => void;
    let release!: () => void;
    const atLoad = new Promise<void>(r => (reached = r));
    LoadSpyPlugin.hold = { name: 'Ada', reached: () => reached(), release: new Promise<void>(r => (release = r)) };
    // The reader loads the old row from the database, then waits before filling the cache.
    const reading = orm.em.fork().findOne(Member, ada);
    await atLoad;
    const em = orm.em.fork();
    await em.nativeUpdate(Member, { id: ada }, { name: 'new' });
    release();
    expect((await reading)?.name).toBe('Ada');
    expect(cacheMetrics(orm, Member).sets).toBe(0);
    expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('new');
    expect((await orm.em.fork().findOneOrFail(Member, ada)).name).toBe('new');
  });

  test('single-flight: concurrent misses for one key do one database read', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => orm.em.fork().findOne(Member, ada)));
    expect(results.every(r => r?.name === 'Ada')).toBe(true);
    expect(new Set(results).size).toBe(8); // each em got its own managed instance
    expect(memberSelects()).toBe(1);
    expect(cacheMetrics(orm, Member)).toMatchObject({ misses: 8, hits: 0, sets: 1 });
  });

  test('tenant filter parameters are part of the key: another tenant never gets the row', async () => {
    const em = orm.em.fork();
    em.setFilterParams('tenant', { id: 1 });
    const note = em.create(Note, { title: 'secret', tenant: 1 });
    await em.flush();
    const as = (tenant: number) => {
      const fork = orm.em.fork();
      fork.setFilterParams('tenant', { id: tenant });
      return fork.findOne(Note, note.id);
    };
    expect((await as(1))?.title).toBe('secret');
    expect((await as(1))?.title).toBe('secret');
    expect(await as(2)).toBeNull();
    expect(await as(2)).toBeNull();
    expect(cacheMetrics(orm, Note)).toMatchObject({ hits: 1, sets: 1 });
  });

  test('an entity whose to-one target is filtered skips the cache (its visibility depends on that row)', async () => {
    const em = orm.em.fork();
    const task = em.create(Task, { title: 't', owner: ada });
    await em.flush();
    expect((await orm.em.fork().findOne(Task, task.id))?.owner.id).toBe(ada);
    const em2 = orm.em.fork();
    em2.remove(await em2.findOneOrFail(Member, ada));
    await em2.flush();
    // The owner is hidden now: the Task comes without it (or not at all), never as it was cached.
    expect((await orm.em.fork().findOne(Task, task.id))?.owner ?? null).toBeNull();
    expect(cacheMetrics(orm, Task)).toMatchObject({ hits: 0, sets: 0, bypasses: 2 });
  });

  test('reads with populate, fields, locks or inside a transaction go to the database', async () => {
    await orm.em.fork().findOne(Member, ada);
    await orm.em.fork().findOne(Member, ada, { fields: ['name'] });
    await orm.em.fork().findOne(Member, ada, { refresh: true });
    await orm.em.fork().transactional(em => em.findOne(Member, ada));
    expect(memberSelects()).toBe(4);
    expect(cacheMetrics(orm, Member).bypasses).toBe(3);
  });

  test('the memory store is bounded: least recently used entries are evicted and counted', async () => {
    await orm.close();
    storeSetting.store = memoryStore({ max: 2 });
    orm = await db.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })], ...log.options });
    const em = orm.em.fork();
    const ids = [];
    for (const name of ['a', 'b', 'c', 'd']) ids.push(em.create(Member, { name }));
    await em.flush();
    for (const m of ids) await orm.em.fork().findOne(Member, m.id);
    expect(cacheMetrics(orm, Member)).toMatchObject({ sets: 4, evictions: 2 });
  });
});
