// A Redis that holds its connections open but answers nothing (its process stopped): every call of
// the store fails once `timeoutMs` passed, calls started at different times included, and the cache
// plugin then reads from the database. Nothing here measures time: a call that never failed would
// leave its test waiting until vitest's timeout.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cacheMetrics, cachePluginOf, redisStore, type RedisStore } from '../src/cache.js';
import { pluginSystem } from '../src/index.js';
import { cacheEntities, cacheRegistry, Member, storeSetting } from './support/cache-fixtures.js';
import { OwnRedis, sparePort, waitFor } from './support/cache-redis.js';
import { sqlite, type TestOrm } from './support/databases.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const registry = cacheRegistry();
const NO_ANSWER = /^no answer from Redis within 300 ms$/;

/** The error a store call failed with, or undefined when it was answered. */
const failure = (call: unknown): Promise<Error | undefined> => Promise.resolve(call).then(() => undefined, (error: Error) => error);

describe.skipIf(!existsSync('/usr/bin/redis-server') && !process.env.PATH?.includes('redis'))('Redis store: calls Redis does not answer', () => {
  let redis: OwnRedis;
  let store: RedisStore;

  beforeEach(async () => {
    redis = new OwnRedis(await sparePort());
    await redis.start();
    store = redisStore({ url: redis.url, keyPrefix: 'deadline:', timeoutMs: 300 });
    expect(await store.ready()).toBe(true);
  });
  afterEach(async () => {
    redis.thaw();
    await store.close();
    await redis.stop();
  });

  test('each read fails after timeoutMs, however far apart they started, and later reads are answered', async () => {
    const miss = await store.read('member', '1', '{}');
    expect(await store.fill('member', '1', '{}', miss.stamp, { id: 1, name: 'Ada' }, 60_000)).toBe(true);
    expect((await store.read('member', '1', '{}')).value).toEqual({ id: 1, name: 'Ada' });

    redis.freeze();
    const first = failure(store.read('member', '1', '{}'));
    await new Promise(r => setTimeout(r, 150));
    const second = failure(store.read('member', '2', '{}'));
    const [early, late] = await Promise.all([first, second]);
    expect(early?.message).toMatch(NO_ANSWER);
    expect(late?.message).toMatch(NO_ANSWER);
    // Started after the others expired: the store arms its timer again.
    expect((await failure(store.read('member', '1', '{}')))?.message).toMatch(NO_ANSWER);
    expect((await failure(store.invalidate('member', ['1'])))?.message).toMatch(NO_ANSWER);

    redis.thaw();
    await waitFor(async () => (await failure(store.read('member', '1', '{}'))) === undefined, 10_000, 'Redis to answer again');
    // The invalidation that timed out may still have run once Redis woke up: either way, no stale hit.
    const after = await store.read('member', '1', '{}');
    expect(after.value === undefined || after.value.name === 'Ada').toBe(true);
  }, 20_000);

  test('answered calls leave no timer that would keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter(resource => resource === 'Timeout').length;
    await store.read('member', '1', '{}');
    await new Promise(r => setTimeout(r, 400)); // past the timeoutMs of the read above: no call is in flight
    const before = timers();
    for (let i = 0; i < 3; i++) await store.read('member', String(i), '{}');
    expect(timers()).toBe(before);
  });

  test('a lookup while Redis answers nothing comes from the database, with one warning', async () => {
    mkdirSync(`${root}.tmp`, { recursive: true });
    const dbName = `${root}.tmp/cache-redis-deadline-${process.pid}.sqlite`;
    rmSync(dbName, { force: true });
    storeSetting.store = store;
    const orm: TestOrm = await sqlite.init({ entities: cacheEntities, extensions: [pluginSystem({ registry })], dbName });
    try {
      const warnings: string[] = [];
      cachePluginOf(orm)!.warn = message => void warnings.push(message);
      const em = orm.em.fork();
      const ada = em.create(Member, { name: 'Ada', score: 1 });
      await em.flush();
      await orm.em.fork().findOneOrFail(Member, ada.id);
      expect((await orm.em.fork().findOneOrFail(Member, ada.id)).name).toBe('Ada');
      expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 1, errors: 0 });

      redis.freeze();
      expect((await orm.em.fork().findOneOrFail(Member, ada.id)).name).toBe('Ada');
      expect(cacheMetrics(orm, Member)).toMatchObject({ hits: 1, errors: 1 });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/cache store 'redis\(redis:\/\/127\.0\.0\.1:\d+\)' failed \(no answer from Redis within 300 ms\)/);

      redis.thaw();
      await waitFor(async () => (await orm.em.fork().findOneOrFail(Member, ada.id)) !== null && cacheMetrics(orm, Member).hits > 1, 10_000, 'hits once Redis answers');
      expect(warnings).toHaveLength(1);
    } finally {
      await orm.close();
      rmSync(dbName, { force: true });
    }
  }, 20_000);
});
