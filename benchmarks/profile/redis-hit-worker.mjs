// One callgrind run of benchmarks/profile/redis-hit.mjs: `node redis-hit-worker.mjs <step> <lookups>`.
// Sets up an ORM on SQLite in memory with an entity cached in the Redis store (127.0.0.1:6379, keys under a
// prefix of this process), fills the cache, copies each entry's row to a plain key for the raw steps, warms the
// step with 3,000 lookups (so both runs of a step share them), then runs `lookups` more (0: none, the baseline).
import { deserialize } from 'node:v8';
import { defineEntity, MikroORM, p } from '@mikro-orm/core';
import { Redis } from 'ioredis';
import { pluginSystem, usePlugins } from '../../dist/index.js';
import { cacheMetrics, redisStore } from '../../dist/cache.js';
import { databaseOptions } from '../lib/mikro.mjs';

const [step, lookupsArg] = process.argv.slice(2);
const lookups = Number(lookupsArg);
const ROWS = 200;
const prefix = `mop-bench:redis-hit:${process.pid}:`;
// Under valgrind a round trip takes far longer than the store's default 500 ms.
const store = redisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix, timeoutMs: 600_000 });
const columns = () => ({ id: p.integer().primary(), name: p.string(), email: p.string(), age: p.integer() });
const Cached = usePlugins(defineEntity({ name: 'RedisHitProfile', tableName: 'redis_hit_profile', properties: columns() }), [{ cache: { store } }]);
const orm = await MikroORM.init({ ...databaseOptions('sqlite-memory', 'redis-hit'), entities: [Cached], extensions: [pluginSystem()] });
await orm.schema.refresh();
const seed = orm.em.fork();
for (let i = 1; i <= ROWS; i++) seed.create(Cached, { name: `item ${i}`, email: `user${i}@example.com`, age: i % 100 });
await seed.flush();
if (!(await store.ready())) throw new Error('redis-hit: Redis at 127.0.0.1:6379 did not answer');
for (let id = 1; id <= ROWS; id++) await orm.em.fork().findOne(Cached, id); // fills every entry

const raw = new Redis('redis://127.0.0.1:6379');
const [entryKey] = await raw.keys(`${prefix}*:e:1:0`);
if (!entryKey) throw new Error('redis-hit: the store filled no entry');
const ns = entryKey.slice(prefix.length).split(':')[0];
const base = `${prefix}${ns}:`;
for (let id = 1; id <= ROWS; id++) {
  const entry = await raw.getBuffer(`${base}e:${id}:0`);
  await raw.set(`${prefix}raw:${id}`, entry.subarray(entry.indexOf(0x7c) + 1)); // the row after `<stamp>|`
}

let shared;
const STEPS = {
  // The baseline of the target: one ioredis GET of the row and the store's deserialisation.
  get: async id => deserialize(await raw.getBuffer(`${prefix}raw:${id}`)),
  // What a hit reads: both stamps and the entry in one MGET, deserialised.
  mget: async id => {
    const [, , entry] = await raw.mgetBuffer(`${base}t`, `${base}g:${id}`, `${base}e:${id}:0`);
    return deserialize(entry.subarray(entry.indexOf(0x7c) + 1));
  },
  // The store's read alone, no ORM and no plugin.
  read: async id => {
    if ((await store.read(ns, String(id), '{}')).value === undefined) throw new Error(`redis-hit: read of ${id} missed`);
  },
  // A cache hit into an em that does not hold the row yet (one fork per pass over the rows).
  'em-hit': async (id, i) => {
    if (i % ROWS === 0) shared = orm.em.fork();
    return shared.findOne(Cached, id);
  },
};
const run = STEPS[step];
if (!run) throw new Error(`unknown step ${step}`);
const runAll = async n => {
  for (let i = 0; i < n; i++) await run(1 + (i % ROWS), i);
};
await runAll(3000);
const hits = cacheMetrics(orm, Cached).hits;
await runAll(lookups);
if (step === 'em-hit' && cacheMetrics(orm, Cached).hits - hits !== lookups) throw new Error('redis-hit: a lookup of em-hit was not a hit');
const keys = await raw.keys(`${prefix}*`);
if (keys.length > 0) await raw.del(...keys);
raw.disconnect();
await store.close();
await orm.close(true);
