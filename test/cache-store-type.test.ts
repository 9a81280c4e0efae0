// The CacheStore plugin type: entities whose cache options name no store use the implementation the
// ORM's stored plugin state selects; operators switch it with setPluginStatus / setPluginPriority.
import { defineEntity, p } from '@mikro-orm/core';
import { afterEach, describe, expect, test } from 'vitest';
import { CachePlugin, CacheStore, cacheMetrics, cachePluginOf, memoryStore } from '../src/cache.js';
import { enablePlugin, listPlugins, pluginOperations, refreshPluginState, setPluginStatus, syncPluginState } from '../src/operations/index.js';
import { pluginSystem, PluginRegistrationError, PluginRegistry, usePlugins, withoutPlugins } from '../src/index.js';
import { describeEachDatabase, type Database, type TestOrm } from './support/databases.js';

const registry = new PluginRegistry().registerMany({ cache: CachePlugin });
const first = memoryStore();
const second = memoryStore();
CacheStore.register('first', first, { priority: 1, description: 'test store 1' });
CacheStore.register('second', second, { priority: 2, description: 'test store 2' });

/** What a store holds for a row read without filters (variant '{}'). */
const held = async (store: CacheStore, ns: string, id: number) => (await store.read(ns, String(id), '{}')).value?.name;

describe('CacheStore plugin type (no database)', () => {
  test('an implementation missing a method of the interface fails registration with a typed error naming the methods', () => {
    const half = { name: 'half', read: () => ({ stamp: '1', value: undefined }), fill: () => true };
    let error: unknown;
    try {
      CacheStore.register('half', half as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginRegistrationError);
    expect(error).toMatchObject({ code: 'MOP_INVALID_IMPLEMENTATION', plugin: 'CacheStore:half' });
    expect((error as Error).message).toContain('missing methods invalidate, invalidateAll, clear');
    expect(CacheStore.implementations().map(i => i.name)).toEqual(['first', 'second']);
  });
});

async function start(db: Database) {
  const Gadget = usePlugins(defineEntity({ name: 'Gadget', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { prefix: 'gadget' } }]);
  const Pinned = usePlugins(defineEntity({ name: 'Pinned', properties: { id: p.integer().primary(), name: p.string() } }), [{ cache: { prefix: 'pinned', store: 'memory' } }]);
  const orm = await db.init({ entities: [Gadget, Pinned], extensions: [pluginSystem({ registry }), pluginOperations({ types: [CacheStore], state: { pollInterval: false } })] });
  await refreshPluginState(orm, { force: true });
  await syncPluginState(orm);
  return { orm, Gadget, Pinned };
}

describeEachDatabase('CacheStore plugin type with stored state', db => {
  let orm: TestOrm | undefined;
  afterEach(async () => {
    if (orm) {
      await first.clear();
      await second.clear();
      await cachePluginOf(orm)?.close();
      await orm.close();
    }
    orm = undefined;
  });

  test('the selected implementation holds the entries; switching it in the stored state moves the cache, and back again drops what it missed', async () => {
    const started = await start(db);
    orm = started.orm;
    const { Gadget, Pinned } = started;
    const em = orm.em.fork();
    const gadget = em.create(Gadget, { name: 'lamp' });
    const pinned = em.create(Pinned, { name: 'pin' });
    await em.flush();
    const read = async () => (await orm!.em.fork().findOneOrFail(Gadget, gadget.id)).name;

    expect(listPlugins(orm).types.find(t => t.type === 'CacheStore')!.implementations.find(i => i.chosen)!.name).toBe('first');
    expect(await read()).toBe('lamp');
    expect(await read()).toBe('lamp');
    expect(cacheMetrics(orm, Gadget)).toMatchObject({ hits: 1, misses: 1, sets: 1 });
    expect(await held(first, 'gadget', gadget.id)).toBe('lamp');
    expect(await held(second, 'gadget', gadget.id)).toBeUndefined();
    // An entity that names its store keeps it, whatever the plugin type selects.
    await orm.em.fork().findOne(Pinned, pinned.id);
    expect(await held(first, 'pinned', pinned.id)).toBeUndefined();

    await setPluginStatus(orm, 'CacheStore:first', 'disabled');
    expect(await read()).toBe('lamp'); // the switch: from the database
    expect(await read()).toBe('lamp'); // a miss on the new store, filled
    expect(await read()).toBe('lamp'); // a hit there
    expect(cacheMetrics(orm, Gadget)).toMatchObject({ hits: 2, sets: 2, bypasses: 1 });
    expect(await held(second, 'gadget', gadget.id)).toBe('lamp');

    // A write the plugin never sees (switched off): the first store's entry is now stale.
    await withoutPlugins(['cache'], () => orm!.em.fork().nativeUpdate(Gadget, { id: gadget.id }, { name: 'desk lamp' }));
    await enablePlugin(orm, 'CacheStore:first');
    // Moving back to it drops what it held from before, so the stale 'lamp' is never served.
    expect(await read()).toBe('desk lamp');
    expect(await read()).toBe('desk lamp');
    expect(await read()).toBe('desk lamp');
    expect(await held(first, 'gadget', gadget.id)).toBe('desk lamp');

    // Every implementation disabled: no store, every read from the database (never the ORM's own memory).
    await setPluginStatus(orm, 'CacheStore:first', 'disabled');
    await setPluginStatus(orm, 'CacheStore:second', 'disabled');
    const before = cacheMetrics(orm, Gadget);
    expect(await read()).toBe('desk lamp');
    expect(await read()).toBe('desk lamp');
    expect(cacheMetrics(orm, Gadget)).toMatchObject({ hits: before.hits, sets: before.sets, bypasses: before.bypasses + 2 });
    await enablePlugin(orm, 'CacheStore:second');
    await enablePlugin(orm, 'CacheStore:first');
    expect(await read()).toBe('desk lamp');

    // Commits invalidate every implementation not disabled (another instance may already read from it).
    await orm.em.fork().nativeUpdate(Gadget, { id: gadget.id }, { name: 'floor lamp' });
    expect(await held(first, 'gadget', gadget.id)).toBeUndefined();
    expect(await held(second, 'gadget', gadget.id)).toBeUndefined();
    expect(await read()).toBe('floor lamp');
  });
});
