// A Redis that restarts with its data (the dump it saved on shutdown, or an older one: writes lost)
// never serves another instance an entry a committed write changed: entries carry the identity of
// the Redis run that stored them, and a restarted server is a new run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MikroORM, type Options } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cacheMetrics, cachePluginOf, redisStore, type RedisStore } from '../src/cache.js';
import { pluginSystem } from '../src/index.js';
import { cacheRegistry, memberSchema } from './support/cache-fixtures.js';
import { OwnRedis, sparePort, uniquePrefix, waitFor } from './support/cache-redis.js';
import { sqlite, type TestOrm } from './support/databases.js';

const registry = cacheRegistry();
const root = fileURLToPath(new URL('..', import.meta.url));
const Member = 'Member' as never;
type Row = { id: number; name: string };

describe.skipIf(!existsSync('/usr/bin/redis-server') && !process.env.PATH?.includes('redis'))('cache plugin, Redis restarts [sqlite]', () => {
  let redis: OwnRedis;
  let dir: string;
  let dbName: string;
  const stores: RedisStore[] = [];
  const orms: TestOrm[] = [];

  beforeEach(async () => {
    mkdirSync(`${root}.tmp`, { recursive: true });
    dir = mkdtempSync(`${root}.tmp/redis-restart-`);
    dbName = `${dir}/app.sqlite`;
    redis = new OwnRedis(await sparePort(), { dir });
    await redis.start();
    const keyPrefix = uniquePrefix('restart');
    for (let i = 0; i < 2; i++) {
      const store = redisStore({ url: redis.url, keyPrefix, timeoutMs: 300 });
      stores.push(store);
      const options = { entities: [memberSchema(store)], extensions: [pluginSystem({ registry })], dbName };
      // Instance A creates the schema; instance B connects to the same database file.
      const orm = i === 0 ? await sqlite.init(options) : ((await MikroORM.init({ driver: SqliteDriver, ...options } as Partial<Options>)) as unknown as TestOrm);
      cachePluginOf(orm)!.warn = () => {};
      orms.push(orm);
    }
    for (const store of stores) expect(await store.ready()).toBe(true); // reads skip a store still connecting
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const orm of orms.splice(0).reverse()) await orm.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Instance A writes, B has the row cached: the starting point of each case. */
  async function cachedOnB(): Promise<{ id: number; read: (side: 0 | 1) => Promise<string | undefined>; update: (name: string) => Promise<void> }> {
    const [a, b] = orms as [TestOrm, TestOrm];
    const em = a.em.fork();
    const row = em.create(Member, { name: 'old' }) as Row;
    await em.flush();
    const read = async (side: 0 | 1) => ((await orms[side]!.em.fork().findOne(Member, row.id)) as Row | null)?.name;
    const update = async (name: string) => {
      const fork = a.em.fork();
      ((await fork.findOneOrFail(Member, row.id)) as Row).name = name;
      await fork.flush();
    };
    expect(await read(1)).toBe('old');
    const hits = cacheMetrics(b, Member).hits;
    expect(await read(1)).toBe('old');
    expect(cacheMetrics(b, Member).hits).toBe(hits + 1);
    return { id: row.id, read, update };
  }

  /** Waits until both instances' stores are connected again. */
  const reconnected = () => waitFor(() => stores.every(s => s.isReady() === true), 15_000, 'both stores connected again');

  test('restarted with the dump it saved on shutdown: a write made while it was down is not hidden from the other instance', async () => {
    const { read, update } = await cachedOnB();
    await redis.stop(); // saves the dump, B's entry in it
    await update('new'); // A commits; its invalidation cannot reach Redis
    await redis.start(); // reloads the dump: B's entry is back
    await reconnected();
    expect(await read(1)).toBe('new');
    expect(await read(1)).toBe('new');
    expect(await read(0)).toBe('new');
  }, 60_000);

  test('restarted from an older dump (writes lost): an invalidation it acknowledged and lost does not bring the old entry back', async () => {
    const { read, update } = await cachedOnB();
    await redis.save(); // the dump holds B's entry
    await update('new'); // A commits and invalidates: acknowledged
    expect(await read(1)).toBe('new');
    await redis.kill(); // crash: the invalidation is lost, the dump still has the old entry
    await redis.start();
    await reconnected();
    expect(await read(1)).toBe('new');
    expect(await read(0)).toBe('new');
  }, 60_000);

  test('restarted empty (data lost): reads go on, the cache fills again', async () => {
    const { read, update } = await cachedOnB();
    await redis.stop();
    rmSync(`${dir}/dump.rdb`, { force: true });
    await update('new');
    await redis.start();
    await reconnected();
    expect(await read(1)).toBe('new');
    const hits = cacheMetrics(orms[1]!, Member).hits;
    expect(await read(1)).toBe('new');
    expect(cacheMetrics(orms[1]!, Member).hits).toBe(hits + 1);
  }, 60_000);
});
