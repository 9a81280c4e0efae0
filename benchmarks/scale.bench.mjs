// scale: does the cost of an operation on one entity depend on how many entity classes the ORM has,
// on how many plugins the entity has, or on plugins attached to other entities?
//
// Five ORMs on SQLite in memory (the database does not matter here: the question is our bookkeeping):
//   E10      10 entities: targets T0, T1, T5, T10, T20 with 0, 1, 5, 10, 20 plugins, 5 fillers with 1 plugin
//   E100     100 entities: target T1 (1 plugin), 99 fillers with 1 plugin each
//   E500     500 entities: target T1, 499 fillers with 1 plugin each
//   E100x20  100 entities: target T1 (1 plugin), 99 fillers with 20 plugins each
// Every plugin is a distinct class with one beforeCreate hook (distinct code), as real plugins are.
//
// Two operations on the target entity, both timed per sample over many repetitions:
//   flush     em.create() of `batch` rows and one flush, `flushes` times per sample (only the flushes timed): µs per row
//   dispatch  what MikroORM does per entity: `await eventManager.dispatchEvent('beforeCreate', args, meta)`: ns per call
// Run through `npm run bench -- scale`. A benchmark, never a test: nothing asserts on time.
import os from 'node:os';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { settings, smoke } from './lib/cli.mjs';
import { figure, ratio, round3, runRounds, timed } from './lib/harness.mjs';
import { fmt, fmtRatio, gitCommit, machine, version, writeResults } from './lib/results.mjs';
import { PluginRegistry, pluginSystem, runtimeOf } from '../dist/index.js';

const cfg = settings({ rounds: 7, warmup: 1, batch: 100, flushes: 20, dispatches: 50_000, entities: [10, 100, 500], smoke: { batch: 10, flushes: 2, dispatches: 200, entities: [10, 20, 30] } });
const ENTITY_COUNTS = cfg.entities;
const HOOK_COUNTS = [0, 1, 5, 10, 20];
const MAX_HOOKS = 20;
const ENTITY_TARGET = 1.05; // cost at the most entities ÷ at the fewest (issue "Faster than hand-written hooks")
const OTHERS_TARGET = 1.05; // cost with 20 plugins on every other entity ÷ with 1; both settled in instructions by profile/scale.mjs
const PER_HOOK_TARGET = 0.1; // each extra hook adds at most 10% to the operation

// ------------------------------------------------------------------------------------------ plugins
const registry = new PluginRegistry();
const pluginName = i => `p${i}`;
for (let i = 0; i < MAX_HOOKS; i++) {
  const cls = new Function(`return class ScalePlugin${i} { beforeCreate(e) { e.value = (Math.imul(e.value, 31) + ${i + 1}) | 0; } };`)();
  registry.register(pluginName(i), cls);
}
const pluginsUpTo = k => Array.from({ length: k }, (_, i) => pluginName(i));

const entity = name =>
  new EntitySchema({
    name,
    tableName: name.toLowerCase(),
    properties: { id: { type: 'integer', primary: true, autoincrement: true }, name: { type: 'string' }, value: { type: 'integer' } },
  });

async function ormWith(label, count, plan) {
  const entities = [];
  const attached = {};
  for (const [name, k] of Object.entries(plan)) {
    entities.push(entity(name));
    if (k > 0) attached[name] = pluginsUpTo(k);
  }
  const fillers = count - entities.length;
  const fillerPlugins = plan.fillerPlugins ?? 1;
  delete attached.fillerPlugins;
  entities.splice(entities.findIndex(e => e.meta.className === 'fillerPlugins'), 1);
  for (let i = 0; i < fillers + 1; i++) {
    const name = `Filler${i}`;
    entities.push(entity(name));
    attached[name] = pluginsUpTo(fillerPlugins);
  }
  const orm = await MikroORM.init({
    driver: SqliteDriver,
    dbName: ':memory:',
    entities,
    extensions: [pluginSystem({ registry, entities: attached })],
    allowGlobalContext: true,
  });
  await orm.schema.create();
  const total = orm.getMetadata().getAll().size;
  if (total !== count) throw new Error(`${label}: ${total} entities, expected ${count}`);
  return { label, orm };
}

const started = performance.now();
const [small, ...larger] = ENTITY_COUNTS;
const orms = {
  [`E${small}`]: await ormWith(`E${small}`, small, { T0: 0, T1: 1, T5: 5, T10: 10, T20: 20, fillerPlugins: 1 }),
};
for (const n of larger) orms[`E${n}`] = await ormWith(`E${n}`, n, { T1: 1, fillerPlugins: 1 });
const mid = ENTITY_COUNTS[1];
orms[`E${mid}x20`] = await ormWith(`E${mid}x20`, mid, { T1: 1, fillerPlugins: 20 });
console.log(`scale: ${Object.keys(orms).length} ORMs initialised in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// What each variant measures: an ORM and a target entity.
const variants = {
  [`E${small}/k0`]: { orm: `E${small}`, target: 'T0', k: 0 },
  [`E${small}/k1`]: { orm: `E${small}`, target: 'T1', k: 1 },
  [`E${small}/k5`]: { orm: `E${small}`, target: 'T5', k: 5 },
  [`E${small}/k10`]: { orm: `E${small}`, target: 'T10', k: 10 },
  [`E${small}/k20`]: { orm: `E${small}`, target: 'T20', k: 20 },
  ...Object.fromEntries(larger.map(n => [`E${n}/k1`, { orm: `E${n}`, target: 'T1', k: 1 }])),
  [`E${mid}x20/k1`]: { orm: `E${mid}x20`, target: 'T1', k: 1 },
};

// Before timing: each target's beforeCreate chain has exactly k links, and a flush runs them in order.
for (const [key, v] of Object.entries(variants)) {
  const { orm } = orms[v.orm];
  const meta = orm.getMetadata().getByClassName(v.target);
  const links = runtimeOf(orm).chainsOf(meta)?.beforeCreate?.links.length ?? 0;
  if (links !== v.k) throw new Error(`${key}: ${links} hooks, expected ${v.k}`);
  const em = orm.em.fork();
  const e = em.create(v.target, { name: 'check', value: 0 });
  await em.flush();
  let expected = 0;
  for (let i = 0; i < v.k; i++) expected = (Math.imul(expected, 31) + i + 1) | 0;
  const row = await orm.em.fork().findOneOrFail(v.target, e.id);
  if (row.value !== expected) throw new Error(`${key}: value ${row.value}, expected ${expected}`);
  await orm.em.getConnection().execute(`delete from \`${v.target.toLowerCase()}\``);
}

const flushCase = {
  id: 'flush',
  variants: Object.fromEntries(
    Object.entries(variants).map(([key, v]) => {
      const { orm } = orms[v.orm];
      return [
        key,
        {
          op: async () => {
            let ms = 0;
            for (let f = 0; f < cfg.flushes; f++) {
              const em = orm.em.fork();
              for (let i = 0; i < cfg.batch; i++) em.create(v.target, { name: `row ${i}`, value: 0 });
              ms += await timed(() => em.flush());
            }
            return ms;
          },
          cleanup: () => orm.em.getConnection().execute(`delete from \`${v.target.toLowerCase()}\``),
        },
      ];
    }),
  ),
};

const dispatchCase = {
  id: 'dispatch',
  variants: Object.fromEntries(
    Object.entries(variants).map(([key, v]) => {
      const { orm } = orms[v.orm];
      const meta = orm.getMetadata().getByClassName(v.target);
      const em = orm.em.fork();
      const manager = em.getEventManager();
      const subject = em.create(v.target, { name: 'dispatch', value: 0 });
      const args = { entity: subject, meta, em };
      return [
        key,
        {
          op: () =>
            timed(async () => {
              // As UnitOfWork.runHooks does: ask hasListeners (cached), then await dispatchEvent.
              for (let i = 0; i < cfg.dispatches; i++) if (manager.hasListeners('beforeCreate', meta)) await manager.dispatchEvent('beforeCreate', args, meta);
            }),
        },
      ];
    }),
  ),
};

const loadBefore = os.loadavg();
const { samples, load, seconds } = await runRounds({ cases: [flushCase, dispatchCase], rounds: cfg.rounds, warmup: cfg.warmup, name: 'scale' });
const loadAfter = os.loadavg();
for (const { orm } of Object.values(orms)) await orm.close(true);

const rows = cfg.batch * cfg.flushes;
const ops = {
  flush: { unit: 'µs per row', per: rows / 1000, samples: samples.get('flush') },
  dispatch: { unit: 'ns per dispatch', per: cfg.dispatches / 1e6, samples: samples.get('dispatch') },
};
const results = {};
for (const [op, { unit, per, samples: s }] of Object.entries(ops)) {
  const figures = Object.fromEntries(Object.entries(variants).map(([key, v]) => [key, { ...v, value: figure(s[key], per) }]));
  const base = `E${small}/k1`;
  const entitiesSweep = ENTITY_COUNTS.map(n => ({ entities: n, key: `E${n}/k1`, value: figures[`E${n}/k1`].value.median, ratio: ratio(s, `E${n}/k1`, base) }));
  const hooksSweep = HOOK_COUNTS.map(k => {
    const key = `E${small}/k${k}`;
    const r = ratio(s, key, base);
    return {
      hooks: k,
      key,
      value: figures[key].value.median,
      ratioToOneHook: r,
      // What each hook beyond the first adds, as a share of the one-hook operation.
      addedPerExtraHook: k > 1 ? round3((r.median - 1) / (k - 1)) : null,
    };
  });
  const last = ENTITY_COUNTS.at(-1);
  const othersRatio = ratio(s, `E${mid}x20/k1`, `E${mid}/k1`);
  const worstPerHook = Math.max(...hooksSweep.filter(h => h.addedPerExtraHook !== null).map(h => h.addedPerExtraHook));
  results[op] = {
    unit,
    figures,
    entitiesSweep,
    hooksSweep,
    firstHook: { ratio: ratio(s, base, `E${small}/k0`), note: 'T1 ÷ T0: the entity with one plugin vs none (MikroORM skips all hook work for an entity with no listener)' },
    othersWithTwentyPlugins: { ratio: othersRatio },
    targets: {
      entities: { target: ENTITY_TARGET, measured: entitiesSweep.at(-1).ratio.median, met: entitiesSweep.at(-1).ratio.median <= ENTITY_TARGET, what: `E${last} ÷ E${small}` },
      others: { target: OTHERS_TARGET, measured: othersRatio.median, met: othersRatio.median <= OTHERS_TARGET, what: `E${mid}, 20 plugins on every other entity ÷ 1 plugin` },
      perHook: { target: PER_HOOK_TARGET, measured: worstPerHook, met: worstPerHook <= PER_HOOK_TARGET, what: 'worst (cost(k)/cost(1) − 1)/(k − 1) over k = 5, 10, 20' },
    },
  };
}

const json = {
  benchmark: 'scale',
  title: 'Scale: entities, plugins per entity, plugins elsewhere',
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
  node: process.version,
  packages: { '@mikro-orm/core': version('@mikro-orm/core'), 'better-sqlite3': version('better-sqlite3') },
  settings: { ...cfg, smoke, database: 'SQLite (in memory)' },
  method:
    `${cfg.warmup} warm-up + ${cfg.rounds} round(s); within a round every variant (ORM × target entity) once, order rotated. ` +
    `flush: ${cfg.flushes} flushes of ${cfg.batch} new rows per sample (only em.flush timed), µs per row. dispatch: ${cfg.dispatches} ` +
    "awaited EventManager.dispatchEvent('beforeCreate') calls on the target entity per sample (hasListeners checked first, as the unit of work does), ns per call. " +
    'Ratios per round, then the median.',
  seconds,
  results,
};

const md = [];
md.push(`# ${json.title}`);
md.push('');
md.push(
  `Measured ${json.date.slice(0, 10)} on ${json.machine.cpu} (${json.machine.cores} cores), Node ${json.node}, @mikro-orm/core ${json.packages['@mikro-orm/core']}, SQLite in memory` +
    `, load average ${json.machine.loadAverage1m.before} → ${json.machine.loadAverage1m.after} (per round: ${load.join(', ')})` +
    (json.commit ? `, commit ${json.commit}` : '') +
    `. ${cfg.warmup} warm-up + ${cfg.rounds} round(s), ${seconds} s. Regenerate with \`npm run bench -- scale\`.`,
);
if (smoke) md.push('', '**Smoke run: tiny sizes, one round. These figures measure nothing.**');
for (const [op, r] of Object.entries(results)) {
  md.push('', `## ${op} (${r.unit}, median over rounds; ratios per round)`, '');
  md.push('| entity classes | plugins on target | plugins on each other entity | ' + r.unit + ' | ratio to E' + small + ', 1 plugin |');
  md.push('|---|---|---|---|---|');
  for (const [key, f] of Object.entries(r.figures)) {
    const ratioToBase = ratio(ops[op].samples, key, `E${small}/k1`).median;
    md.push(`| ${f.orm.replace(/^E(\d+).*/, '$1')} | ${f.k} | ${f.orm.endsWith('x20') ? 20 : 1} | ${fmt(f.value.median)} (${fmt(f.value.min)}–${fmt(f.value.max)}) | ${fmtRatio(ratioToBase)} |`);
  }
  md.push('');
  for (const t of Object.values(r.targets)) {
    const shown = t === r.targets.perHook ? `${(t.measured * 100).toFixed(1)}% per hook (≤ ${t.target * 100}%)` : `${fmtRatio(t.measured)} (≤ ${t.target})`;
    md.push(`- ${t.what}: ${shown}: ${t.met ? 'met' : '**missed**'}`);
  }
  md.push(`- one plugin vs none (MikroORM's own price of any listener on an entity): ${fmtRatio(r.firstHook.ratio.median)}`);
}
writeResults('scale', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);
