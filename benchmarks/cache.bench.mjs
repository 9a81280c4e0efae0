// cache: em.findOne(Entity, pk) by primary key, each lookup in a fresh fork (the identity map never answers),
// on SQLite in memory, SQLite on file and PostgreSQL. Variants: a the database, an entity without the cache
// plugin; b the database, the cached entity with the plugin switched off (withoutPlugins); c a cache hit,
// memory store; d a cache hit, Redis store (127.0.0.1:6379; the memory store again when Redis is down).
// r: the raw baseline, one ioredis GET of the same serialised row plus the store's v8 deserialize, no ORM
// (Redis only); s: the Redis store's read() alone, without ORM or plugin. d/r is issue #14's "Redis hit within 1.5× of a raw GET + deserialise"; d and r also record
// the server's INFO commandstats per sample, to split d's time into server side and client side.
// e and g: the same hits as c and d into a request's em (one fork per pass over the rows, so each lookup is a row
// the em does not hold yet, without a fork's price in every lookup); m: MikroORM's entity factory merging the
// same row into such an em, no cache and no database: the least any hit that returns a managed entity costs.
// Targets: c/b ≤ 1/10 on SQLite (a hit ≥ 10× faster), ≤ 1/20 on PostgreSQL.
// Run through `npm run bench -- cache`. A benchmark, never a test: nothing asserts on time.
import { connect } from 'node:net';
import { defineEntity, MikroORM, p } from '@mikro-orm/core';
import os from 'node:os';
import { pluginSystem, usePlugins, withoutPlugins } from '../dist/index.js';
import { cacheMetrics, memoryStore, redisStore } from '../dist/cache.js';
import { databases, settings, smoke } from './lib/cli.mjs';
import { figure, ratio, runRounds } from './lib/harness.mjs';
import { databaseOptions } from './lib/mikro.mjs';
import { rawBaseline, serverCost, withServerCost } from './lib/redis-raw.mjs';
import { pgAvailable } from './lib/pg.mjs';
import { gitCommit, machine, version, writeResults } from './lib/results.mjs';

const REDIS_TARGET = 1.5; // d/r and g/r
const HIT_TARGET_US = 5; // e: a memory-store hit
const TARGETS = { 'sqlite-memory': 10, 'sqlite-file': 10, postgresql: 20 };
const cfg = settings({ rounds: 7, warmup: 1, rows: 200, lookups: 2000, smoke: { rows: 20, lookups: 50 } });

const redisUp = await new Promise(resolve => {
  const socket = connect({ host: '127.0.0.1', port: 6379, timeout: 500 });
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
});

const columns = () => ({ id: p.integer().primary(), name: p.string(), email: p.string(), age: p.integer() });
const redisPrefix = 'mop-bench:cache:';
const stores = [];
const rawClients = [];

const dbs = [];
const skipped = {};
for (const db of databases()) {
  if (db === 'postgresql' && !(await pgAvailable())) skipped[db] = 'PostgreSQL not reachable on 127.0.0.1:5432';
  else dbs.push(db);
}
if (!redisUp) skipped.redis = 'Redis not reachable on 127.0.0.1:6379: d is the memory store';
const loadBefore = os.loadavg();
console.log(`cache: ${cfg.rows} rows, ${cfg.lookups} findOne per sample, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), databases: ${dbs.join(', ')}${redisUp ? ', Redis store too' : ''}`);

const orms = [];
const cases = [];
for (const db of dbs) {
  const memory = memoryStore({ max: 10_000 });
  const redis = redisUp ? redisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: `${redisPrefix}${db}:` }) : undefined;
  stores.push(memory, ...(redis ? [redis] : []));
  const Plain = defineEntity({ name: 'CacheBenchPlain', tableName: 'cache_bench_plain', properties: columns() });
  const Cached = usePlugins(defineEntity({ name: 'CacheBenchMemory', tableName: 'cache_bench_memory', properties: columns() }), [{ cache: { store: memory } }]);
  const entities = [Plain, Cached];
  let OnRedis;
  if (redis) entities.push((OnRedis = usePlugins(defineEntity({ name: 'CacheBenchRedis', tableName: 'cache_bench_redis', properties: columns() }), [{ cache: { store: redis } }])));
  const orm = await MikroORM.init({ ...databaseOptions(db, 'cache'), entities, extensions: [pluginSystem()] });
  await orm.schema.refresh();
  orms.push(orm);
  for (const entity of entities) {
    const em = orm.em.fork();
    for (let i = 1; i <= cfg.rows; i++) em.create(entity, { name: `item ${i}`, email: `user${i}@example.com`, age: i % 100 });
    await em.flush();
  }
  const ids = Array.from({ length: cfg.lookups }, (_, i) => 1 + (i % cfg.rows));
  const lookups = entity => async () => {
    const start = performance.now();
    for (const id of ids) await orm.em.fork().findOne(entity, id);
    return performance.now() - start;
  };
  const hitOn = entity => ({ prepare: lookups(entity), op: lookups(entity) });
  const inRequest = lookup => async () => {
    let em;
    const start = performance.now();
    for (let i = 0; i < ids.length; i++) {
      if (i % cfg.rows === 0) em = orm.em.fork();
      await lookup(em, ids[i]);
    }
    return performance.now() - start;
  };
  const hitInRequest = entity => ({ prepare: checkedFill(entity), op: inRequest((em, id) => em.findOne(entity, id)) });
  /** Fills the cache, then checks that a pass of lookups is all hits returning the rows (behaviour before timing). */
  const checkedFill = entity => async () => {
    await lookups(entity)();
    const before = cacheMetrics(orm, entity).hits;
    const em = orm.em.fork();
    for (const id of ids.slice(0, cfg.rows)) if ((await em.findOne(entity, id))?.email !== `user${id}@example.com`) throw new Error(`cache: row ${id} came back wrong`);
    const hits = cacheMetrics(orm, entity).hits - before;
    if (hits !== Math.min(cfg.rows, ids.length)) throw new Error(`cache: ${hits} hits in a pass of ${cfg.rows} lookups on ${entity.meta?.className ?? 'the entity'}: the timing would not be of hits`);
  };
  const row = id => ({ id, name: `item ${id}`, email: `user${id}@example.com`, age: id % 100 });
  const variants = {
    a: { op: lookups(Plain) },
    b: { op: () => withoutPlugins(['cache'], lookups(Cached)) },
    c: hitOn(Cached),
    d: hitOn(OnRedis ?? Cached),
    e: hitInRequest(Cached),
    m: { op: inRequest((em, id) => em.getEntityFactory().create(Cached, row(id), { merge: true, convertCustomTypes: true })) },
    ...(OnRedis ? { g: hitInRequest(OnRedis) } : {}),
  };
  const costs = { d: [], r: [], s: [] };
  if (redis) {
    const raw = rawBaseline({ store: redis, storePrefix: `${redisPrefix}${db}:`, rawPrefix: `${redisPrefix}raw:${db}:`, ids, fill: lookups(OnRedis) });
    rawClients.push(raw.client);
    variants.d = withServerCost(raw.client, variants.d, costs.d);
    variants.r = withServerCost(raw.client, raw.raw, costs.r);
    variants.s = withServerCost(raw.client, raw.storeRead, costs.s);
  }
  cases.push({ id: db, db, variants, Cached, OnRedis, orm, costs });
}

const { samples, load } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: 'cache' });
const loadAfter = os.loadavg();
const results = [];
for (const c of cases) {
  const s = samples.get(c.id);
  const target = 1 / TARGETS[c.db];
  const keys = Object.keys(c.variants);
  const figures = Object.fromEntries(keys.map(k => [k, { value: figure(s[k], cfg.lookups / 1000) }])); // µs per findOne (r: per GET)
  const ratios = { 'c/b': ratio(s, 'c', 'b'), 'd/a': ratio(s, 'd', 'a'), 'e/m': ratio(s, 'e', 'm'), ...(s.r ? { 'd/r': ratio(s, 'd', 'r'), 's/r': ratio(s, 's', 'r'), 'g/r': ratio(s, 'g', 'r') } : {}) };
  const targets = { 'c/b': { target, met: ratios['c/b'].median <= target }, 'd/a': { target: null, met: true }, e: { target: HIT_TARGET_US, met: figures.e.value.median <= HIT_TARGET_US } };
  if (ratios['d/r']) targets['d/r'] = { target: REDIS_TARGET, met: ratios['d/r'].median <= REDIS_TARGET };
  if (ratios['g/r']) targets['g/r'] = { target: REDIS_TARGET, met: ratios['g/r'].median <= REDIS_TARGET };
  const server = s.r ? { d: serverCost(c.costs.d), s: serverCost(c.costs.s), r: serverCost(c.costs.r) } : undefined;
  results.push({ db: c.db, figures, ratios, targets, ...(server ? { serverCost: server } : {}), metrics: cacheMetrics(c.orm, c.Cached) });
}
const f = x => (x === null ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const md = [
  '| database | a: database, no plugin µs | b: database, plugin off µs | c: hit, memory µs | d: hit, Redis µs | speed-up b/c | target | met? |',
  '|---|---|---|---|---|---|---|---|',
  ...results.map(
    r =>
      `| ${r.db} | ${f(r.figures.a.value.median)} | ${f(r.figures.b.value.median)} | ${f(r.figures.c.value.median)} | ${f(r.figures.d.value.median)} | ${(1 / r.ratios['c/b'].median).toFixed(1)}× | ≥ ${TARGETS[r.db]}× | ${r.targets['c/b'].met ? 'yes' : 'no'} |`,
  ),
];
md.push(
  '',
  "| database | e: memory hit into a request's em µs | m: MikroORM's entity factory merge alone µs | e/m | target e | met? |",
  '|---|---|---|---|---|---|',
  ...results.map(r => `| ${r.db} | ${f(r.figures.e.value.median)} | ${f(r.figures.m.value.median)} | ${r.ratios['e/m'].median.toFixed(2)}× | ≤ ${HIT_TARGET_US} µs | ${r.targets.e.met ? 'yes' : 'no'} |`),
);
if (results.some(r => r.ratios['d/r'])) {
  const range = q => `${q.median.toFixed(2)}× (${q.min.toFixed(2)}–${q.max.toFixed(2)})`;
  const us = (cost, cmd) => (cost?.[cmd] ? `${cost[cmd].usecPerCall} µs × ${cost[cmd].callsPerSample}` : '—');
  md.push(
    '',
    "| database | d: hit, Redis µs | g: hit into a request's em µs | s: store read µs | r: raw GET + deserialise µs | d/r (min–max) | g/r (min–max) | target | met? d, g | s/r | server: EVALSHA | server: INFO in script | server: raw GET |",
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results
      .filter(r => r.ratios['d/r'])
      .map(r => `| ${r.db} | ${f(r.figures.d.value.median)} | ${f(r.figures.g.value.median)} | ${f(r.figures.s.value.median)} | ${f(r.figures.r.value.median)} | ${range(r.ratios['d/r'])} | ${range(r.ratios['g/r'])} | ≤ ${REDIS_TARGET}× | ${r.targets['d/r'].met ? 'yes' : 'no'}, ${r.targets['g/r'].met ? 'yes' : 'no'} | ${r.ratios['s/r'].median.toFixed(2)}× | ${us(r.serverCost.d, 'evalsha')} | ${us(r.serverCost.d, 'info')} | ${us(r.serverCost.r, 'get')} |`),
  );
}
const json = {
  benchmark: 'cache',
  title: 'Cache: findOne by primary key, hit vs database',
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
  node: process.version,
  packages: { '@mikro-orm/core': version('@mikro-orm/core'), ioredis: version('ioredis'), 'lru-cache': version('lru-cache') },
  settings: { ...cfg, smoke },
  variants: {
    a: 'database: entity without the cache plugin',
    b: 'database: cached entity, plugin switched off (withoutPlugins)',
    c: 'cache hit, memory store',
    d: redisUp ? 'cache hit, Redis store' : 'cache hit, memory store (Redis not reachable)',
    ...(redisUp ? { s: "the Redis store's read() alone (the hit's script + deserialize, no ORM, no plugin)" } : {}),
    e: "cache hit, memory store, into a request's em (one fork per pass over the rows)",
    m: "MikroORM's entity factory merging the same row into such an em (no cache, no database)",
    ...(redisUp ? { g: "cache hit, Redis store, into a request's em (one fork per pass over the rows)" } : {}),
    ...(redisUp ? { r: 'raw baseline: one ioredis GET of the same serialised row + v8 deserialize (no ORM, no script)' } : {}),
  },
  serverCost: 'per variant, per Redis command: median calls per sample and server µs per call (INFO commandstats delta, warm-up included; every client of the Redis counts)',
  skipped,
  results,
};
writeResults('cache', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);

for (const store of stores) {
  if (store !== stores[0]) await store.clear?.();
  await store.close?.();
}
for (const client of rawClients) {
  const keys = await client.keys(`${redisPrefix}raw:*`);
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
}
for (const orm of orms) await orm.close(true);
