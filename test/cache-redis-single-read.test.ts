// A Redis hit is one MGET (no script, no INFO): the store learns the server's run id once per
// connection. These check that against a private redis-server, whose command statistics are ours
// alone, and that the restart guarantee the per-read INFO gave still holds: a reply that crossed a
// reconnection (ioredis resends unanswered commands) is not trusted with the old connection's run id.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { redisStore, type RedisStore } from '../src/cache.js';
import { OwnRedis, sparePort, waitFor } from './support/cache-redis.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Calls per command since the last CONFIG RESETSTAT. */
async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
  return calls;
}

describe.skipIf(!existsSync('/usr/bin/redis-server') && !process.env.PATH?.includes('redis'))('Redis store: a hit in one round trip', () => {
  let redis: OwnRedis;
  let admin: Redis;
  let store: RedisStore;
  let dir: string;

  beforeEach(async () => {
    mkdirSync(`${root}.tmp`, { recursive: true });
    dir = mkdtempSync(`${root}.tmp/redis-single-read-`);
    redis = new OwnRedis(await sparePort(), { dir });
    await redis.start();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    admin.on('error', () => {});
    // Unanswered commands survive a few reconnection attempts, so the resent read below is sure to be resent.
    store = redisStore({ url: redis.url, keyPrefix: 'single:', timeoutMs: 20_000, redisOptions: { maxRetriesPerRequest: 20 } });
    expect(await store.ready()).toBe(true);
  });
  afterEach(async () => {
    await store.close();
    admin.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An entry for member 7, filled under the stamp a miss returned. */
  async function filled(): Promise<string> {
    const miss = await store.read('member', '7', '{}');
    expect(miss.value).toBeUndefined();
    expect(await store.fill('member', '7', '{}', miss.stamp, { id: 7, name: 'old' }, 60_000)).toBe(true);
    return miss.stamp;
  }

  /** Reads until the store has learnt the run id of its connection: a hit then runs no script. */
  async function hitsWithoutScript(): Promise<void> {
    await waitFor(
      async () => {
        await admin.config('RESETSTAT');
        const hit = await store.read('member', '7', '{}');
        const calls = await commandCalls(admin);
        return hit.value !== undefined && calls.evalsha === undefined && calls.mget === 1;
      },
      5000,
      'a hit without a script',
    );
  }

  test('a hit is one MGET: no EVALSHA, no INFO; the stamp is the one the scripts compute', async () => {
    const stamp = await filled();
    const runId = /run_id:([0-9a-f]+)/.exec(await admin.info('server'))![1]!;
    expect(stamp.split(':')[0]).toBe(runId.slice(0, 16));
    await hitsWithoutScript();
    await admin.config('RESETSTAT');
    for (let i = 0; i < 20; i++) {
      const hit = await store.read('member', '7', '{}');
      expect(hit).toEqual({ stamp, value: { id: 7, name: 'old' } });
    }
    const calls = await commandCalls(admin);
    expect(calls.mget).toBe(20);
    expect(calls.evalsha ?? 0).toBe(0);
    expect(calls.eval ?? 0).toBe(0);
    // The admin's own INFO commandstats is the one INFO counted.
    expect(calls.info ?? 0).toBe(0);
  });

  test('a miss with its counters in place needs no script either; after an invalidation the old entry is not served', async () => {
    await filled();
    await hitsWithoutScript();
    await store.invalidate('member', ['7']);
    await admin.config('RESETSTAT');
    const after = await store.read('member', '7', '{}');
    expect(after.value).toBeUndefined();
    expect((await commandCalls(admin)).evalsha ?? 0).toBe(0);
    expect(await store.fill('member', '7', '{}', after.stamp, { id: 7, name: 'new' }, 60_000)).toBe(true);
    expect((await store.read('member', '7', '{}')).value).toEqual({ id: 7, name: 'new' });
  });

  test('counters gone (FLUSHALL): the read script creates them, and the entry is a miss', async () => {
    await filled();
    await hitsWithoutScript();
    await admin.flushall();
    await admin.config('RESETSTAT');
    const read = await store.read('member', '7', '{}');
    expect(read.value).toBeUndefined();
    expect((await commandCalls(admin)).evalsha).toBe(1);
    expect(await store.fill('member', '7', '{}', read.stamp, { id: 7, name: 'again' }, 60_000)).toBe(true);
    expect((await store.read('member', '7', '{}')).value).toEqual({ id: 7, name: 'again' });
  });

  test('restarted from an older dump while a read waited: the reply, resent on the new connection, is not a hit of the old run', async () => {
    const oldStamp = await filled();
    await hitsWithoutScript();
    await redis.save(); // the dump holds the entry and its counters
    await store.invalidate('member', ['7']); // acknowledged, then lost with the crash
    await admin.client('PAUSE', 10_000, 'ALL'); // the next read waits in the server
    const pending = Promise.resolve(store.read('member', '7', '{}')).then(
      read => read,
      (error: Error) => error,
    );
    await new Promise(r => setTimeout(r, 200));
    await redis.kill();
    await redis.start(); // the old dump: entry and counters as they were before the invalidation
    const read = await pending;
    if (read instanceof Error) throw read;
    // Served from the reply as sent, this would be { stamp: oldStamp, value: { name: 'old' } }.
    expect(read.value).toBeUndefined();
    expect(read.stamp).not.toBe(oldStamp);
    expect(read.stamp.split(':')[0]).not.toBe(oldStamp.split(':')[0]);
    // And later reads on the new connection: the same.
    await waitFor(() => store.isReady(), 10_000, 'the store connected again');
    expect((await store.read('member', '7', '{}')).value).toBeUndefined();
  }, 60_000);

  test('after a restart the store learns the new run id: stamps carry it, and hits are one MGET again', async () => {
    const oldStamp = await filled();
    await redis.stop();
    await redis.start(); // reloads its dump: the entry of the old run is back
    await waitFor(() => store.isReady(), 10_000, 'the store connected again');
    const miss = await store.read('member', '7', '{}');
    expect(miss.value).toBeUndefined();
    const runId = /run_id:([0-9a-f]+)/.exec(await admin.info('server'))![1]!;
    expect(miss.stamp.split(':')[0]).toBe(runId.slice(0, 16));
    expect(miss.stamp.split(':')[0]).not.toBe(oldStamp.split(':')[0]);
    expect(await store.fill('member', '7', '{}', miss.stamp, { id: 7, name: 'old' }, 60_000)).toBe(true);
    await hitsWithoutScript();
  }, 60_000);
});
