// memory: heap per managed entity after em.find() of every row, on SQLite in memory:
//   a bare MikroORM, c our plugins with timestamp, validation, softDelete and audit attached,
//   d ours installed with no plugin. Target: c/a ≤ 1.1 and d/a ≤ 1.01 (issue "Faster than hand-written hooks").
// A sample is (heap after the load − heap before) ÷ rows, each reading taken after a full GC, with the
// loaded entities still referenced. Heap is not time: the machine's load does not move these figures.
// Run through `npm run bench -- memory`. A benchmark, never a test: nothing asserts on it.
import os from 'node:os';
import { settings, smoke } from './lib/cli.mjs';
import { figure, ratio, runRounds } from './lib/harness.mjs';
import { seed, variantOrm } from './lib/mikro.mjs';
import { finishScenario, fmt, fmtRatio } from './lib/results.mjs';

if (!globalThis.gc) throw new Error('memory: run with --expose-gc (npm run bench does)');
const TARGETS = { 'c/a': 1.1, 'd/a': 1.01 };
const VARIANTS = {
  a: 'bare MikroORM',
  c: 'our plugins: timestamp, validation, softDelete, audit',
  d: 'ours installed, no plugin',
};
const cfg = settings({ rows: 100_000, rounds: 5, warmup: 1, smoke: { rows: 200 } });
const db = 'sqlite-memory';
console.log(`memory: ${cfg.rows} rows, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), ${db}`);

const orms = {};
for (const variant of Object.keys(VARIANTS)) {
  const behaviour = variant === 'c' ? { timestamps: true, validation: true, softDelete: true, audit: true } : {};
  orms[variant] = await variantOrm({ scenario: 'memory', db, variant, behaviour });
  await seed(orms[variant].orm, orms[variant].entity, cfg.rows);
}

/** Bytes of heap per entity one em.find() of every row keeps. */
async function bytesPerEntity(v) {
  const em = v.orm.em.fork();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const found = await em.find(v.entity, {});
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  if (found.length !== cfg.rows) throw new Error(`${v.name}: find returned ${found.length} rows`);
  em.clear();
  return (after - before) / cfg.rows;
}

const cases = [
  {
    id: 'find',
    variants: Object.fromEntries(Object.entries(orms).map(([k, v]) => [k, { op: () => bytesPerEntity(v) }])),
  },
];

const loadBefore = os.loadavg();
const { samples, load, seconds } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: 'memory' });
const loadAfter = os.loadavg();
for (const v of Object.values(orms)) await v.close();

const s = samples.get('find');
const figures = Object.fromEntries(Object.keys(VARIANTS).map(k => [k, { label: VARIANTS[k], value: figure(s[k]) }]));
const ratios = { 'c/a': ratio(s, 'c', 'a'), 'd/a': ratio(s, 'd', 'a') };
const targets = Object.fromEntries(Object.entries(TARGETS).map(([k, target]) => [k, { target, met: ratios[k].median <= target }]));
const results = [{ db, op: 'find', opLabel: `heap per entity after find() of ${cfg.rows.toLocaleString('en')} rows`, unit: 'bytes per entity', figures, ratios, targets }];

const md = [
  `# Memory: heap per managed entity (${db}, ${cfg.rows.toLocaleString('en')} rows)`,
  '',
  '| variant | bytes per entity (median) | range |',
  '|---|---|---|',
  ...Object.entries(figures).map(([k, f]) => `| ${k}: ${f.label} | ${fmt(f.value.median)} | ${fmt(f.value.min)}–${fmt(f.value.max)} |`),
  '',
  '| ratio | median | target | met? |',
  '|---|---|---|---|',
  ...Object.entries(targets).map(([k, t]) => `| ${k} | ${fmtRatio(ratios[k].median)} | ≤ ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
].join('\n');

finishScenario('memory', {
  title: 'Memory: heap per managed entity',
  loadBefore,
  loadAfter,
  load,
  settings: { ...cfg, smoke },
  variants: VARIANTS,
  method: `${cfg.warmup} untimed warm-up round(s), then ${cfg.rounds} round(s), variants rotated each round. A sample: full GC, heapUsed, em.find(Entity, {}) of ${cfg.rows} rows in a new fork, full GC, heapUsed; (after − before) ÷ rows, the entities still referenced.`,
  seconds,
  results,
}, md);
