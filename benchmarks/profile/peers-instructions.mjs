// The peers target in instructions: each ORM's cost of writing a row with its hooks ÷ without them, and the
// instructions the hooks add per row, counted by valgrind's callgrind (the client process only: the database
// server's work is the same with and without hooks). Deterministic where timings on this machine spread by 30 %.
//   node benchmarks/profile/peers-instructions.mjs [--rows=1000] [--dbs=sqlite-memory,postgresql] [--workloads=insert,update] [--orms=MikroORM,Sequelize,TypeORM] [--warmups=4] [--pg-db=NAME]
// Needs valgrind, dist/ (npm run build) and the peer ORMs (npm install --prefix benchmarks). Each variant runs
// twice (peers-instructions-worker.mjs), with and without the write, two processes at a time.
import { countInstructions, requireValgrind, valgrindVersion } from '../lib/callgrind.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { pgDatabase } from '../lib/cli.mjs';
import { DATABASE_LABELS } from '../lib/mikro.mjs';
import { gitCommit, machine, resultsDir, version, writeResults } from '../lib/results.mjs';

const option = (name, fallback) => process.argv.find(a => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rows = Number(option('rows', '1000'));
const dbs = option('dbs', 'sqlite-memory,postgresql').split(',');
const workloads = option('workloads', 'insert,update').split(',');
const orms = option('orms', 'MikroORM,Sequelize,TypeORM').split(',');
// Write rounds before the measured one: --predictable compiles on the main thread, so code still being
// optimised when the measured write runs is counted with it (one round left MikroORM's counts 3–4× too high).
const warmups = Number(option('warmups', '4'));
const worker = fileURLToPath(new URL('./peers-instructions-worker.mjs', import.meta.url));

requireValgrind();

// Sequelize's SQLite dialect needs the sqlite3 package, which cannot be installed here (see peers.bench.mjs).
const ORMS = db =>
  [
    // floor: bare MikroORM doing the hooks' work by hand (lib/peer-orms.mjs), what any plugin system on MikroORM starts from.
    ['MikroORM', ['plain', 'hooked', 'ours', 'floor']],
    ...(db === 'postgresql' ? [['Sequelize', ['plain', 'hooked']]] : []),
    ['TypeORM', ['plain', 'hooked']],
  ].filter(([orm]) => orms.includes(orm));

// The two runs of a variant go at once, one per core: on PostgreSQL each in its own database, so neither sees the other's rows.
const pgDatabaseOf = write => `${pgDatabase}_${write ? 'w' : 'n'}`;
if (dbs.includes('postgresql')) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await client.connect();
  for (const name of [pgDatabaseOf(false), pgDatabaseOf(true)]) await client.query(`create database "${name}"`).catch(error => { if (error.code !== '42P04') throw error; });
  await client.end();
}

function instructions(orm, variant, db, workload, write) {
  return countInstructions([worker, orm, variant, db, workload, String(rows), write ? '1' : '0', `--pg-db=${pgDatabaseOf(write)}`, `--warmups=${warmups}`], `${orm} ${variant} ${db} ${workload} write=${write}`);
}

// What the results say about trusting them, under every table.
const NOISE =
  'How far to trust one count: the same process run twice counts the same instructions (within about 200 per row), but a small change to it, such as one more command-line argument, moves its total by a few tenths of a percent: up to about 20,000 per row at 1,000 rows. On PostgreSQL the count also follows the server\'s timing (the client\'s event loop turns while it waits for replies): there, hooked variants have counted below the bare write. Only differences well above that say anything.';

const loadBefore = os.loadavg();
const started = Date.now();
// A run of some databases or ORMs keeps the last results of the others (each row says its commit and date).
const kept = (() => {
  try {
    return JSON.parse(readFileSync(join(resultsDir, 'peers-instructions.json'), 'utf8')).results.filter(r => !dbs.includes(r.db) || !orms.includes(r.orm));
  } catch {
    return [];
  }
})();
const measured = { commit: gitCommit(), date: new Date().toISOString().slice(0, 10), rows, warmups };
const results = [];
for (const db of dbs) {
  for (const workload of workloads) {
    for (const [orm, variants] of ORMS(db)) {
      const perRow = {};
      for (const variant of variants) {
        const [without, withWrite] = await Promise.all([instructions(orm, variant, db, workload, false), instructions(orm, variant, db, workload, true)]);
        perRow[variant] = Math.round((withWrite - without) / rows);
        console.log(`${DATABASE_LABELS[db]} ${workload} ${orm} ${variant}: ${perRow[variant].toLocaleString('en')} instructions per row`);
      }
      const hooked = orm === 'MikroORM' ? 'ours' : 'hooked';
      const ratio = x => Math.round((perRow[x] / perRow.plain) * 1000) / 1000;
      results.push({ ...measured, db, workload, orm, instructionsPerRow: perRow, withHooksRatio: ratio(hooked), addedPerRow: perRow[hooked] - perRow.plain, ...(orm === 'MikroORM' ? { handWrittenRatio: ratio('hooked'), handWrittenAddedPerRow: perRow.hooked - perRow.plain, floorRatio: ratio('floor'), floorAddedPerRow: perRow.floor - perRow.plain } : {}) });
    }
  }
}

results.unshift(...kept);
// Kept and new rows in one order: by database, workload, then ORM.
const order = (list, x) => (list.indexOf(x) + 1 || list.length + 1);
const DB_ORDER = ['sqlite-memory', 'postgresql'];
const ORM_ORDER = ['MikroORM', 'Sequelize', 'TypeORM'];
results.sort((x, y) => order(DB_ORDER, x.db) - order(DB_ORDER, y.db) || x.workload.localeCompare(y.workload) || order(ORM_ORDER, x.orm) - order(ORM_ORDER, y.orm));
const md = [
  '| database | workload | ORM | without hooks | with hooks | with ÷ without | added per row | warm-up rounds |',
  '|---|---|---|---|---|---|---|---|',
  ...results.flatMap(r => {
    const n = x => x.toLocaleString('en');
    const hooked = r.orm === 'MikroORM' ? 'ours' : 'hooked';
    const line = [`| ${DATABASE_LABELS[r.db]} | ${r.workload} | ${r.orm === 'MikroORM' ? 'MikroORM + our plugins' : r.orm} | ${n(r.instructionsPerRow.plain)} | ${n(r.instructionsPerRow[hooked])} | ${r.withHooksRatio}× | ${n(r.addedPerRow)} | ${r.warmups ?? 1} |`];
    if (r.orm === 'MikroORM') line.push(`| ${DATABASE_LABELS[r.db]} | ${r.workload} | MikroORM hand-written | ${n(r.instructionsPerRow.plain)} | ${n(r.instructionsPerRow.hooked)} | ${r.handWrittenRatio}× | ${n(r.handWrittenAddedPerRow)} | ${r.warmups ?? 1} |`);
    if (r.orm === 'MikroORM' && r.floorRatio !== undefined) line.push(`| ${DATABASE_LABELS[r.db]} | ${r.workload} | MikroORM by hand, no hook (floor) | ${n(r.instructionsPerRow.plain)} | ${n(r.instructionsPerRow.floor)} | ${r.floorRatio}× | ${n(r.floorAddedPerRow)} | ${r.warmups ?? 1} |`);
    return line;
  }),
  '',
  `Instructions per written row in the client process (callgrind, node --predictable), ${[...new Set(results.map(r => r.rows))].map(n => n.toLocaleString('en')).join(' / ')} rows per operation, after the warm-up rounds (an insert and an update each) the last column gives; the hooks set two dates and run one zod parse in every ORM. Measured at ${[...new Set(results.map(r => `${r.commit} (${r.date})`))].join(', ')}.`,
  '',
  NOISE,
].join('\n');
console.log(`\n${md}`);
writeResults(
  'peers-instructions',
  {
    benchmark: 'peers-instructions',
    title: 'Peers in instructions (valgrind callgrind): each ORM with hooks ÷ without',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, os.loadavg()),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), valgrind: valgrindVersion() },
    settings: { rows, dbs, workloads, orms, warmups },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    results,
  },
  md,
);
