// Cache plugin hardening: store options checked at creation, clearCache under a client keyPrefix,
// and no read waiting for a Redis that has not answered yet.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { cacheMetrics, cachePluginOf, clearCache, memoryStore, redisStore, type CacheStore, type RedisStore } from '../src/cache.js';
import { PluginConfigError, pluginSystem } from '../src/index.js';
import { cacheEntities, cacheRegistry, Member, storeSetting } from './support/cache-fixtures.js';
import { dropPrefix, redisUp, SHARED_REDIS, uniquePrefix, waitFor } from './support/cache-redis.js';
import { sqlite, type TestOrm } from './support/databases.js';

const registry = cacheRegistry();

/** The error `fn` throws, which must be a typed MOP_INVALID_OPTIONS naming `option`. */
function invalid(fn: () => unknown, option: string): PluginConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PluginConfigError);
  expect(caught).toMatchObject({ code: 'MOP_INVALID_OPTIONS', plugin: 'cache', option });
  expect((caught as Error).message).toContain(`'${option}'`);
  return caught as PluginConfigError;
}

describe('memoryStore options', () => {
  test.each([0, -1, Number.NaN, 1.5, Infinity, '10' as never, 2 ** 40, 2 ** 22 + 1, 2 ** 28])('max: %s fails at creation with MOP_INVALID_OPTIONS', max => {
    invalid(() => memoryStore({ max }), 'max');
  });

  test('a valid max still works', () => {
    expect(memoryStore({ max: 1 }).name).toBe('memory');
    expect(memoryStore().name).toBe('memory');
    // The largest one allocates its LRU arrays (2^28 crashed the process: the arrays cannot be allocated).
    expect(memoryStore({ max: 2 ** 22 }).name).toBe('memory');
  });
});

describe('redisStore options', () => {
  test.each([
    [{ url: 'http://127.0.0.1:6379' }, 'url'],
    [{ url: 42 as never }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: '' }, 'url'],
    [{ timeoutMs: -1 }, 'timeoutMs'],
    [{ timeoutMs: Number.NaN }, 'timeoutMs'],
    [{ timeoutMs: '500' as never }, 'timeoutMs'],
    [{ healthTimeoutMs: 0 }, 'healthTimeoutMs'],
    [{ keyPrefix: 7 as never }, 'keyPrefix'],
    [{ keyPrefix: '' }, 'keyPrefix'],
    [{ client: {} as never }, 'client'],
    [{ redisOptions: 'x' as never }, 'redisOptions'],
  ] as const)('%j fails at creation naming %s', (options, option) => {
    invalid(() => redisStore(options as never), option);
  });

  test('the password of a bad URL never appears in the error; the user does, masked as user:***', () => {
    const error = invalid(() => redisStore({ url: 'http://ada:s3cr3t-pw@cache.example:6379/0' }), 'url');
    expect(error.message).not.toContain('s3cr3t-pw');
    expect(error.message).toContain('http://ada:***@cache.example:6379');
    const opaque = invalid(() => redisStore({ url: 'ada:s3cr3t-pw@cache.example' }), 'url');
    expect(opaque.message).not.toContain('s3cr3t-pw');
  });

  test('a URL given as the entity store option is checked at start-up', async () => {
    storeSetting.store = 'redis://127.0.0.1:notaport' as never;
    try {
      await expect(sqlite.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })] })).rejects.toMatchObject({ code: 'MOP_INVALID_OPTIONS', option: 'url', entity: 'Member' });
    } finally {
      storeSetting.store = 'memory';
    }
  });
});

describe.skipIf(!redisUp)('clearCache with a client of yours that has a keyPrefix', () => {
  let orm: TestOrm | undefined;
  let client: Redis | undefined;
  const clientPrefix = uniquePrefix('client');
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
    client?.disconnect();
    storeSetting.store = 'memory';
    await dropPrefix(SHARED_REDIS, clientPrefix);
  });

  test('entries are cleared, keys of another prefix survive', async () => {
    client = new Redis(SHARED_REDIS, { keyPrefix: clientPrefix });
    const store = (storeSetting.store = redisStore({ client, keyPrefix: 'app:' }));
    await client.set('other:keep', '1'); // the application's own key, under the client prefix
    orm = await sqlite.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })] });
    const em = orm.em.fork();
    const ada = em.create(Member, { name: 'Ada' });
    await em.flush();
    await waitReady(store);
    await orm.em.fork().findOne(Member, ada.id);
    await orm.em.fork().findOne(Member, ada.id);
    expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 1, sets: 1 });
    const entryKeys = async () => (await client!.keys(`${clientPrefix}app:member:e:*`)).length;
    expect(await entryKeys()).toBe(1);

    await clearCache(orm);
    expect(await entryKeys()).toBe(0);
    expect(await client.get('other:keep')).toBe('1');
    await orm.em.fork().findOne(Member, ada.id);
    expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 1, misses: 2, errors: 0 });
  });
});

async function waitReady(store: CacheStore): Promise<void> {
  expect(await (store as RedisStore).ready()).toBe(true);
}

describe('a Redis store that has not answered yet', () => {
  let orm: TestOrm | undefined;
  let store: RedisStore | undefined;
  afterEach(async () => {
    await store?.close();
    await orm?.close();
    orm = undefined;
    storeSetting.store = 'memory';
  });

  test('reads go straight to the database, never waiting for timeoutMs', async () => {
    // Nothing listens on port 1; a read that waited for the store would outlast the test's timeout.
    store = redisStore({ url: 'redis://127.0.0.1:1', timeoutMs: 60_000 });
    storeSetting.store = store;
    orm = await sqlite.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })] });
    const warnings: string[] = [];
    cachePluginOf(orm)!.warn = message => void warnings.push(message);
    const em = orm.em.fork();
    const ada = em.create(Member, { name: 'Ada', score: 2 });
    await em.flush();

    expect(await orm.em.fork().findOne(Member, ada.id)).toMatchObject({ id: ada.id, name: 'Ada', score: 2 });
    expect(await orm.em.fork().findOne(Member, ada.id)).toMatchObject({ name: 'Ada' });
    // A write's invalidation does not wait either; the next read sees the new row.
    const em2 = orm.em.fork();
    (await em2.findOneOrFail(Member, ada.id)).name = 'Ada L.';
    await em2.flush();
    expect((await orm.em.fork().findOneOrFail(Member, ada.id)).name).toBe('Ada L.');
    expect(store.isReady()).toBe(false);
    expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 0, misses: 0, sets: 0, bypasses: 4 });
  }, 20_000);

  test('a server that accepts the connection and never answers: reads do not wait for its first connection attempt', async () => {
    // It takes the TCP connection and stays silent, so the client's first attempt never settles by itself.
    const sockets: Socket[] = [];
    const silent = createServer(socket => void sockets.push(socket));
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    try {
      store = redisStore({ url: `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 60_000 });
      storeSetting.store = store;
      orm = await sqlite.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })] });
      const em = orm.em.fork();
      const ada = em.create(Member, { name: 'Ada' });
      await em.persist(ada).flush();
      await waitFor(() => sockets.length > 0, 10_000, 'the store to connect');
      expect(await orm.em.fork().findOne(Member, ada.id)).toMatchObject({ name: 'Ada' });
      expect(await orm.em.fork().findOne(Member, ada.id)).toMatchObject({ name: 'Ada' });
      expect(store.isReady()).toBe(false);
      expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 0, misses: 0, bypasses: 2 });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 20_000);
});
