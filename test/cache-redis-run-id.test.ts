// The Redis store's stamps begin with the server's run id: a restart must change every stamp, so no entry
// stored before it is served after it. This checks the script reads the run id itself, not a neighbour of it.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redisStore, type RedisStore } from '../src/cache.js';
import { dropPrefix, redisUp, SHARED_REDIS, uniquePrefix } from './support/cache-redis.js';

describe.skipIf(!redisUp)(`Redis store stamps (skipped: no Redis at ${SHARED_REDIS})`, () => {
  const prefix = uniquePrefix('run-id');
  let store: RedisStore;
  let client: Redis;

  beforeAll(async () => {
    client = new Redis(SHARED_REDIS);
    store = redisStore({ url: SHARED_REDIS, keyPrefix: prefix });
    expect(await store.ready()).toBe(true);
  });

  afterAll(async () => {
    await dropPrefix(SHARED_REDIS, prefix);
    await store.close();
    client.disconnect();
  });

  test("a stamp starts with the first 16 characters of the server's run_id, and a fill under it is a hit", async () => {
    const runId = /run_id:([0-9a-f]+)/.exec(await client.info('server'))![1]!;
    expect(runId).toHaveLength(40);
    const miss = await store.read('member', '7', '{}');
    expect(miss.stamp.split(':')[0]).toBe(runId.slice(0, 16));
    expect(miss.value).toBeUndefined();
    expect(await store.fill('member', '7', '{}', miss.stamp, { id: 7, name: 'Ada' }, 60_000)).toBe(true);
    const hit = await store.read('member', '7', '{}');
    expect(hit.stamp).toBe(miss.stamp);
    expect(hit.value).toEqual({ id: 7, name: 'Ada' });
  });
});
