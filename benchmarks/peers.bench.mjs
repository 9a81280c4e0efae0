// peers: the insert and update workloads of flush-insert and flush-update (all rows in one operation) with
// equivalent timestamp and validation hooks in Sequelize (model hooks) and TypeORM (an entity subscriber),
// beside MikroORM's hand-written hooks and our plugins. Each ORM's own with-hooks ÷ without-hooks ratio is
// what compares across ORMs: the absolute times measure each ORM's write path, not its hooks.
//
// Databases: PostgreSQL (127.0.0.1:5432) for all three; SQLite in memory for MikroORM and TypeORM
// (better-sqlite3, the copy @mikro-orm/sqlite installed in the root node_modules). Sequelize's SQLite
// dialect needs the `sqlite3` package, whose install downloads a prebuilt binary, which cannot be fetched here.
//
// The peer ORMs live in benchmarks/package.json (dev dependencies of the benchmarks only):
// `npm install --prefix benchmarks`, which the runner does when this scenario is selected and they are missing.
// Run through `npm run bench -- peers`. A benchmark, never a test: nothing asserts on time.
import os from 'node:os';
import { databases, settings, smoke } from './lib/cli.mjs';
import { figure, ratio, runRounds } from './lib/harness.mjs';
import { DATABASE_LABELS } from './lib/mikro.mjs';
import { peerSystems } from './lib/peer-orms.mjs';
import { pgAvailable } from './lib/pg.mjs';
import { fmt, fmtRatio, gitCommit, machine, version, writeResults } from './lib/results.mjs';

// 3,000 rows by default, not the 10,000 of flush-insert/flush-update: Sequelize and TypeORM update one row per statement
// (about 5 s per 10,000-row sample here), which would take the full run past 10 minutes. `--rows=10000` runs the full size.
const cfg = settings({ rounds: 4, warmup: 1, rows: 3000, smoke: { rows: 40 } });
const dbs = [];
const skipped = {};
for (const db of databases(['postgresql', 'sqlite-memory'])) {
  if (db === 'postgresql' && !(await pgAvailable())) skipped[db] = 'PostgreSQL not reachable on 127.0.0.1:5432';
  else dbs.push(db);
}
skipped['sequelize/sqlite-memory'] = "Sequelize's SQLite dialect needs the sqlite3 package, whose install downloads a prebuilt binary (no network here)";
console.log(`peers: ${cfg.rows} rows, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), databases: ${dbs.join(', ')}`);

const systems = await peerSystems(dbs, cfg.rows); // { orm, db, variants: { key: { insert, update, check, empty } }, close }

// Before timing: the variants with hooks reject an invalid row and stamp the rows; those without write both.
for (const s of systems) {
  for (const [key, v] of Object.entries(s.variants)) {
    const rejected = await v.check();
    if (rejected !== (key !== 'plain')) throw new Error(`${s.orm} ${key} on ${s.db}: an invalid row was ${rejected ? 'rejected' : 'written'}`);
    await v.empty();
  }
}

const cases = [];
for (const s of systems) {
  const insertVariants = Object.fromEntries(Object.entries(s.variants).map(([k, v]) => [k, v.insert]));
  cases.push({ id: `${s.orm}/${s.db}/insert`, orm: s.orm, db: s.db, workload: 'insert', variants: insertVariants });
  const updateVariants = Object.fromEntries(Object.entries(s.variants).filter(([k]) => k !== 'individual').map(([k, v]) => [k, v.update]));
  // Each update changes the rows the same variant's insert wrote earlier in the round (the insert empties the table first).
  cases.push({ id: `${s.orm}/${s.db}/update`, orm: s.orm, db: s.db, workload: 'update', variants: updateVariants });
}

const loadBefore = os.loadavg();
const { samples, load, seconds } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: 'peers' });
const loadAfter = os.loadavg();
for (const s of systems) await s.close();

const LABELS = {
  plain: 'without hooks',
  hooked: 'with hooks',
  ours: 'with our plugins',
  individual: 'with hooks, individualHooks: true',
};
const HOOKS = {
  MikroORM: 'hand-written: entity hooks (timestamps) + subscriber (zod); ours: timestamp + validation plugins',
  Sequelize: 'model hooks: beforeBulkCreate (insert; individualHooks row: beforeCreate per instance) and beforeUpdate, setting timestamps and running zod',
  TypeORM: 'entity subscriber: beforeInsert / beforeUpdate setting timestamps and running zod',
};
const WORKLOADS = {
  MikroORM: { insert: 'em.create() × N, one em.flush()', update: 'em.find() all (untimed), change each, one em.flush()' },
  Sequelize: { insert: 'Model.bulkCreate(N rows)', update: 'Model.findAll() (untimed), change each, instance.save() each in one transaction' },
  TypeORM: { insert: 'repository.save(N new entities)', update: 'repository.find() all (untimed), change each, repository.save(all)' },
};
const results = cases.map(c => {
  const s = samples.get(c.id);
  const figures = Object.fromEntries(Object.keys(c.variants).map(k => [k, { label: LABELS[k], ms: figure(s[k]) }]));
  const ratios = Object.fromEntries(Object.keys(c.variants).filter(k => k !== 'plain').map(k => [k, ratio(s, k, 'plain')]));
  return { orm: c.orm, db: c.db, database: DATABASE_LABELS[c.db], workload: c.workload, how: WORKLOADS[c.orm][c.workload], hooks: HOOKS[c.orm], figures, ratiosToWithoutHooks: ratios };
});
// Target: our ratio is the lowest among the ORMs, per database and workload.
const targets = [];
for (const db of dbs) {
  for (const workload of ['insert', 'update']) {
    const rows = results.filter(r => r.db === db && r.workload === workload);
    const ours = rows.find(r => r.orm === 'MikroORM')?.ratiosToWithoutHooks.ours.median;
    const peers = rows.filter(r => r.orm !== 'MikroORM').map(r => ({ orm: r.orm, ratio: r.ratiosToWithoutHooks.hooked.median }));
    const best = Math.min(...peers.map(p => p.ratio));
    targets.push({ db, workload, ours, peers, met: peers.length > 0 ? ours <= best : null });
  }
}

const json = {
  benchmark: 'peers',
  title: 'Peers: with-hooks ÷ without-hooks, per ORM',
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
  node: process.version,
  packages: {
    '@mikro-orm/core': version('@mikro-orm/core'),
    sequelize: version('sequelize'),
    typeorm: version('typeorm'),
    pg: version('pg'),
    'better-sqlite3': version('better-sqlite3'),
    zod: version('zod'),
  },
  settings: { ...cfg, smoke },
  method:
    `${cfg.warmup} warm-up + ${cfg.rounds} round(s); each round runs every case, its variants in an order rotated each round, full GC before each sample. ` +
    'A sample is the one operation writing all rows (loads before an update untimed). Each ORM’s ratio is its with-hooks sample ÷ its without-hooks sample ' +
    'of the same round, then the median over rounds.',
  skipped,
  seconds,
  results,
  targets,
};

const md = [];
md.push(`# ${json.title}`);
md.push('');
md.push(
  `Measured ${json.date.slice(0, 10)} on ${json.machine.cpu} (${json.machine.cores} cores), Node ${json.node}; @mikro-orm/core ${json.packages['@mikro-orm/core']}, ` +
    `sequelize ${json.packages.sequelize}, typeorm ${json.packages.typeorm}, pg ${json.packages.pg}, better-sqlite3 ${json.packages['better-sqlite3']}` +
    `; load average ${json.machine.loadAverage1m.before} → ${json.machine.loadAverage1m.after} (per round: ${load.join(', ')})` +
    (json.commit ? `, commit ${json.commit}` : '') +
    `. ${cfg.rows.toLocaleString('en')} rows per operation, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), ${seconds} s. Regenerate with \`npm run bench -- peers\`.`,
);
if (smoke) md.push('', '**Smoke run: tiny sizes, one round. These figures measure nothing.**');
md.push('');
md.push('| ORM | database | workload | without hooks ms | with hooks ms | with-hooks ÷ without | ours ms | ours ÷ without |');
md.push('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const f = k => (r.figures[k] ? `${fmt(r.figures[k].ms.median)} (${fmt(r.figures[k].ms.min)}–${fmt(r.figures[k].ms.max)})` : '—');
  const q = k => (r.ratiosToWithoutHooks[k] ? `${fmtRatio(r.ratiosToWithoutHooks[k].median)} (${fmtRatio(r.ratiosToWithoutHooks[k].min)}–${fmtRatio(r.ratiosToWithoutHooks[k].max)})` : '—');
  md.push(`| ${r.orm} | ${r.database} | ${r.workload} | ${f('plain')} | ${f('hooked')} | ${q('hooked')} | ${f('ours')} | ${q('ours')} |`);
  if (r.figures.individual) md.push(`| Sequelize, individualHooks | ${r.database} | ${r.workload} | ${f('plain')} | ${f('individual')} | ${q('individual')} | — | — |`);
}
md.push('');
for (const r of results.filter(x => x.workload === 'insert')) md.push(`- ${r.orm} (${r.database}): ${r.hooks}. Insert: ${r.how}; update: ${WORKLOADS[r.orm].update}.`);
md.push('');
for (const t of targets) {
  md.push(
    `- ${DATABASE_LABELS[t.db]}, ${t.workload}: ours ${fmtRatio(t.ours)} vs ${t.peers.map(p => `${p.orm} ${fmtRatio(p.ratio)}`).join(', ')}: ` +
      (t.met === null ? 'no peer on this database' : t.met ? 'ours is the lowest (met)' : '**ours is not the lowest (missed)**'),
  );
}
md.push('', `Not measured: ${Object.entries(skipped).map(([k, v]) => `${k}: ${v}`).join('; ')}.`);
writeResults('peers', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);
