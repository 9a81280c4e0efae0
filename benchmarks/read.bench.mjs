// read: em.find() over every row and em.findOne() by primary key, on SQLite in memory, SQLite on file and
// PostgreSQL, for the four variants: a bare (no filter), b a hand-written MikroORM filter
// (`filters: { softDelete: { cond: { deletedAt: null }, default: true } }` on the entity), c the softDelete
// plugin, d ours installed with no plugin. Every row is live, so all four return the same rows; the filter
// only adds its `where deleted_at is null`. Cache-hit rows wait for the cache plugin, which has not landed.
// Run through `npm run bench -- read`. A benchmark, never a test: nothing asserts on time.
import os from 'node:os';
import { databases, settings, smoke } from './lib/cli.mjs';
import { figure, ratio, runRounds, timed } from './lib/harness.mjs';
import { DATABASE_LABELS, VARIANTS, seed, variantOrm } from './lib/mikro.mjs';
import { pgAvailable } from './lib/pg.mjs';
import { fmt, fmtRatio, gitCommit, machine, version, writeResults } from './lib/results.mjs';

const TARGET = 1.05; // c/b
const D_TARGET = 1.02; // d/a, as for the flush scenarios
const cfg = settings({ rounds: 7, warmup: 1, lookups: 300, smoke: { rows: 40, lookups: 10 } });
cfg.lookups = Math.min(cfg.lookups, cfg.rows);

const dbs = [];
const skipped = {};
for (const db of databases()) {
  if (db === 'postgresql' && !(await pgAvailable())) skipped[db] = 'PostgreSQL not reachable on 127.0.0.1:5432';
  else dbs.push(db);
}
console.log(`read: ${cfg.rows} rows, ${cfg.lookups} findOne per sample, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), databases: ${dbs.join(', ')}`);

const orms = [];
const cases = [];
for (const db of dbs) {
  const byVariant = {};
  for (const variant of Object.keys(VARIANTS)) {
    const v = await variantOrm({ scenario: 'read', db, variant, behaviour: { filter: true } });
    await seed(v.orm, v.entity, cfg.rows);
    await checkFilter(db, variant, v);
    orms.push(v);
    byVariant[variant] = v;
  }
  // The ids looked up: spread over the table, the same for every variant.
  const ids = Array.from({ length: cfg.lookups }, (_, i) => 1 + Math.floor((i * cfg.rows) / cfg.lookups));
  cases.push({
    id: `${db}/find`,
    db,
    op: 'find',
    opLabel: `find() of ${cfg.rows.toLocaleString('en')} rows`,
    per: 1,
    perLabel: 'ms per find',
    variants: Object.fromEntries(
      Object.entries(byVariant).map(([k, v]) => [
        k,
        {
          op: async () => {
            const em = v.orm.em.fork();
            let found;
            const ms = await timed(async () => {
              found = await em.find(v.entity, {});
            });
            if (found.length !== cfg.rows) throw new Error(`${v.name}: find returned ${found.length} rows`);
            return ms;
          },
        },
      ]),
    ),
  });
  cases.push({
    id: `${db}/findOne`,
    db,
    op: 'findOne',
    opLabel: 'findOne() by primary key',
    per: cfg.lookups / 1000,
    perLabel: 'µs per findOne',
    variants: Object.fromEntries(
      Object.entries(byVariant).map(([k, v]) => [
        k,
        {
          op: async () => {
            // One fork per sample: every lookup misses the identity map and queries the database.
            const em = v.orm.em.fork();
            return timed(async () => {
              for (const id of ids) if ((await em.findOne(v.entity, id)) === null) throw new Error(`${v.name}: row ${id} not found`);
            });
          },
        },
      ]),
    ),
  });
}

/** Before timing: b and c hide a soft-deleted row, a and d do not; then the row goes again. */
async function checkFilter(db, variant, v) {
  const em = v.orm.em.fork();
  await em.insert(v.entity, { name: 'gone', email: 'gone@example.com', age: 1, deletedAt: new Date() });
  const visible = await v.orm.em.fork().count(v.entity, {});
  const hides = variant === 'b' || variant === 'c';
  if (visible !== cfg.rows + (hides ? 0 : 1)) throw new Error(`${v.name} on ${db}: ${visible} rows visible`);
  await v.orm.em.fork().nativeDelete(v.entity, { name: 'gone' }, { filters: false });
}

const loadBefore = os.loadavg();
const { samples, load, seconds } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: 'read' });
const loadAfter = os.loadavg();
for (const v of orms) await v.close();

const results = cases.map(c => {
  const s = samples.get(c.id);
  const figures = Object.fromEntries(Object.keys(c.variants).map(k => [k, { label: VARIANTS[k], value: figure(s[k], c.per) }]));
  const ratios = { 'c/b': ratio(s, 'c', 'b'), 'd/a': ratio(s, 'd', 'a'), 'b/a': ratio(s, 'b', 'a'), 'c/a': ratio(s, 'c', 'a') };
  return {
    db: c.db,
    database: DATABASE_LABELS[c.db],
    op: c.op,
    opLabel: c.opLabel,
    unit: c.perLabel,
    figures,
    ratios,
    targets: {
      'c/b': { target: TARGET, met: ratios['c/b'].median <= TARGET },
      'd/a': { target: D_TARGET, met: ratios['d/a'].median <= D_TARGET },
    },
  };
});

const json = {
  benchmark: 'read',
  title: 'Read: soft-delete filter',
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
  node: process.version,
  packages: { '@mikro-orm/core': version('@mikro-orm/core'), 'better-sqlite3': version('better-sqlite3'), pg: version('pg') },
  settings: { ...cfg, smoke },
  variants: {
    a: 'bare MikroORM, no filter',
    b: 'hand-written MikroORM filter { deletedAt: null }, default on',
    c: 'our softDelete plugin (its queryFilter)',
    d: 'ours installed, no plugin, no filter',
  },
  cacheRows: 'not measured: the cache plugin has not landed',
  method:
    `${cfg.warmup} untimed warm-up round(s), then ${cfg.rounds} timed round(s), variants rotated each round, full GC before each sample. ` +
    `find: one em.find(Entity, {}) over ${cfg.rows} live rows in a new fork. findOne: ${cfg.lookups} em.findOne(Entity, id) in one new fork ` +
    '(distinct ids, so none is served from the identity map), reported per lookup. Ratios per round, then the median.',
  skipped,
  seconds,
  results,
};

const md = [];
md.push('# Read: soft-delete filter');
md.push('');
md.push(
  `Measured ${json.date.slice(0, 10)} on ${json.machine.cpu} (${json.machine.cores} cores), Node ${json.node}, @mikro-orm/core ${json.packages['@mikro-orm/core']}` +
    `, load average ${json.machine.loadAverage1m.before} → ${json.machine.loadAverage1m.after} (per round: ${load.join(', ')})` +
    (json.commit ? `, commit ${json.commit}` : '') +
    `. ${cfg.warmup} warm-up + ${cfg.rounds} round(s), ${seconds} s. Regenerate with \`npm run bench -- read\`.`,
);
if (smoke) md.push('', '**Smoke run: tiny sizes, one round. These figures measure nothing.**');
md.push('');
md.push('Median (min–max over rounds); ratios per round, median (min–max). a: no filter; b: hand-written MikroORM filter; c: softDelete plugin; d: ours installed, no plugin.');
md.push('');
md.push('| database | operation | unit | a: bare | b: hand-written filter | c: softDelete plugin | d: ours, no plugin | c/b (≤ 1.05) | d/a (≤ 1.02) | c/a |');
md.push('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const cell = k => `${fmt(r.figures[k].value.median)} (${fmt(r.figures[k].value.min)}–${fmt(r.figures[k].value.max)})`;
  const rc = (k, t) => `${fmtRatio(r.ratios[k].median)} (${fmtRatio(r.ratios[k].min)}–${fmtRatio(r.ratios[k].max)})${t ? (r.targets[k].met ? ' ✓' : ' **✗**') : ''}`;
  md.push(`| ${r.database} | ${r.opLabel} | ${r.unit} | ${cell('a')} | ${cell('b')} | ${cell('c')} | ${cell('d')} | ${rc('c/b', true)} | ${rc('d/a', true)} | ${rc('c/a')} |`);
}
md.push('');
md.push('Cache-hit rows: not measured, the cache plugin has not landed.');
if (Object.keys(skipped).length) md.push('', `Skipped: ${Object.entries(skipped).map(([k, v]) => `${k} (${v})`).join('; ')}.`);
writeResults('read', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);
