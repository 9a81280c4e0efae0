// One callgrind run of benchmarks/profile/cache-hit.mjs: `node cache-hit-worker.mjs <variant> <lookups>`.
// Sets up an ORM on SQLite in memory with a cached entity (memory store), warms the cache and the code with as
// 3,000 lookups (whatever it measures, so both runs of a variant share them), then runs `lookups` more of the
// variant's step (0: none, the baseline).
import { defineEntity, MikroORM, p } from '@mikro-orm/core';
import { pluginSystem, usePlugins } from '../../dist/index.js';
import { memoryStore } from '../../dist/cache.js';
import { databaseOptions } from '../lib/mikro.mjs';

const [variant, lookupsArg] = process.argv.slice(2);
const lookups = Number(lookupsArg);
const ROWS = 200;
const columns = () => ({ id: p.integer().primary(), name: p.string(), email: p.string(), age: p.integer() });
const Cached = usePlugins(defineEntity({ name: 'CacheHitProfile', tableName: 'cache_hit_profile', properties: columns() }), [{ cache: { store: memoryStore({ max: 10_000 }) } }]);
const orm = await MikroORM.init({ ...databaseOptions('sqlite-memory', 'cache-hit'), entities: [Cached], extensions: [pluginSystem()] });
await orm.schema.refresh();
const seed = orm.em.fork();
for (let i = 1; i <= ROWS; i++) seed.create(Cached, { name: `item ${i}`, email: `user${i}@example.com`, age: i % 100 });
await seed.flush();

const row = id => ({ id, name: `item ${id}`, email: `user${id}@example.com`, age: id % 100 });
const STEPS = {
  // MikroORM's own price of a fresh fork: part of every lookup in the cache benchmark.
  fork: async () => orm.em.fork(),
  // MikroORM's floor for a hit: a fork, and the row merged into it by its entity factory (what any cache must do).
  floor: async id => {
    const em = orm.em.fork();
    return em.getEntityFactory().create(Cached, row(id), { merge: true, convertCustomTypes: true });
  },
  // A cache hit, as cache.bench.mjs times it.
  hit: async id => orm.em.fork().findOne(Cached, id),
  // The same two without a fork per lookup: one fork per pass over the rows, so each lookup is a hit into an
  // em that does not hold the row yet (the fork's price spread over 200 lookups). What the cache itself costs.
  'em-floor': async (id, i) => {
    if (i % ROWS === 0) shared = orm.em.fork();
    return shared.getEntityFactory().create(Cached, row(id), { merge: true, convertCustomTypes: true });
  },
  'em-hit': async (id, i) => {
    if (i % ROWS === 0) shared = orm.em.fork();
    return shared.findOne(Cached, id);
  },
};
let shared;
const step = STEPS[variant];
if (!step) throw new Error(`unknown variant ${variant}`);
const run = async n => {
  for (let i = 0; i < n; i++) await step(1 + (i % ROWS), i);
};
await run(3000); // fills the cache, warms the code: the same in both runs
const check = await orm.em.fork().findOne(Cached, 7);
if (check?.email !== 'user7@example.com') throw new Error('cache-hit: the lookup did not return the row');
await run(lookups);
await orm.close(true);
