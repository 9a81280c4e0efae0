// flush-audit: the flush workloads with audit rows, now that the audit plugin has landed (commit 103ebe4).
// b: hand-written MikroORM (entity hooks for timestamps, a zod subscriber, the soft-delete recipe, and an audit
// subscriber writing one row per change with em.insert() from the after-events, in the flush's transaction);
// c: our timestamp, validation, softDelete and audit plugins; a: bare MikroORM for scale. One flush of all rows
// per operation; each round runs insert, then update of those rows, then remove of them (soft delete in b and c).
// Run through `npm run bench -- flush-audit`. A benchmark, never a test: nothing asserts on time.
import os from 'node:os';
import { databases, settings, smoke } from './lib/cli.mjs';
import { figure, ratio, runRounds, timed } from './lib/harness.mjs';
import { DATABASE_LABELS, emptyTable, itemData, variantOrm } from './lib/mikro.mjs';
import { pgAvailable } from './lib/pg.mjs';
import { fmt, fmtRatio, gitCommit, machine, version, writeResults } from './lib/results.mjs';

const TARGET = 1.05;
const VARIANTS = { a: 'bare MikroORM (no audit)', b: 'hand-written MikroORM hooks + audit subscriber', c: 'our plugins incl. audit' };
// 3,000 rows by default: the audit writes one INSERT per change (in b as in c), about 0.3 ms each on PostgreSQL here,
// so 10,000-row samples would take the full run well past 10 minutes. `--rows=10000` runs the full size.
const cfg = settings({ rounds: 4, warmup: 1, rows: 3000, smoke: { rows: 40 } });
const dbs = [];
const skipped = {};
for (const db of databases(['sqlite-memory', 'postgresql'])) {
  if (db === 'postgresql' && !(await pgAvailable())) skipped[db] = 'PostgreSQL not reachable on 127.0.0.1:5432';
  else dbs.push(db);
}
console.log(`flush-audit: ${cfg.rows} rows, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), databases: ${dbs.join(', ')}`);

const behaviour = { timestamps: true, validation: true, softDelete: true, audit: true };
const orms = [];
const cases = [];
for (const db of dbs) {
  const by = {};
  for (const variant of Object.keys(VARIANTS)) {
    by[variant] = await variantOrm({ scenario: 'flush-audit', db, variant, behaviour });
    orms.push(by[variant]);
  }
  await checkAudit(db, by);
  const variants = op => Object.fromEntries(Object.entries(by).map(([k, v]) => [k, op(v)]));
  let sample = 0;
  cases.push({
    id: `${db}/insert`,
    db,
    workload: 'insert',
    variants: variants(v => ({
      prepare: async () => {
        await emptyTable(v.orm, v.table, db);
        if (v.auditTable) await emptyTable(v.orm, v.auditTable, db);
      },
      op: async () => {
        const em = v.orm.em.fork();
        for (let i = 0; i < cfg.rows; i++) em.create(v.entity, itemData(i + 1));
        return timed(() => em.flush());
      },
    })),
  });
  cases.push({
    id: `${db}/update`,
    db,
    workload: 'update',
    variants: variants(v => ({
      op: async () => {
        sample++;
        const em = v.orm.em.fork();
        const items = await em.find(v.entity, {});
        if (items.length !== cfg.rows) throw new Error(`${v.name}: ${items.length} rows to update`);
        for (const item of items) {
          item.name = `item ${item.id} v${sample}`;
          item.age = (item.age + 1) % 100;
        }
        return timed(() => em.flush());
      },
    })),
  });
  cases.push({
    id: `${db}/remove`,
    db,
    workload: 'remove',
    variants: variants(v => ({
      op: async () => {
        const em = v.orm.em.fork();
        const items = await em.find(v.entity, {});
        if (items.length !== cfg.rows) throw new Error(`${v.name}: ${items.length} rows to remove`);
        for (const item of items) em.remove(item);
        return timed(() => em.flush());
      },
    })),
  });
}

/** Before timing: b and c write one audit row per create, update and soft delete, with the entity's id. */
async function checkAudit(db, by) {
  for (const variant of ['b', 'c']) {
    const v = by[variant];
    const em = v.orm.em.fork();
    const e = em.create(v.entity, itemData(1));
    await em.flush();
    e.age = 42;
    await em.flush();
    em.remove(e);
    await em.flush();
    const rows = await v.orm.em.getConnection().execute(`select operation, entity_id from ${v.auditTable} order by id`);
    const ops = rows.map(r => r.operation).join(',');
    if (ops !== 'create,update,softDelete' || rows.some(r => String(r.entity_id) !== String(e.id))) {
      throw new Error(`${v.name} on ${db}: audit rows ${JSON.stringify(rows)}`);
    }
    await emptyTable(v.orm, v.table, db);
    await emptyTable(v.orm, v.auditTable, db);
  }
}

const loadBefore = os.loadavg();
const { samples, load, seconds } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: 'flush-audit' });
const loadAfter = os.loadavg();
for (const v of orms) await v.close();

const results = cases.map(c => {
  const s = samples.get(c.id);
  const figures = Object.fromEntries(Object.keys(c.variants).map(k => [k, { label: VARIANTS[k], ms: figure(s[k]) }]));
  const ratios = { 'c/b': ratio(s, 'c', 'b'), 'b/a': ratio(s, 'b', 'a'), 'c/a': ratio(s, 'c', 'a') };
  return { db: c.db, database: DATABASE_LABELS[c.db], workload: c.workload, figures, ratios, targets: { 'c/b': { target: TARGET, met: ratios['c/b'].median <= TARGET } } };
});

const json = {
  benchmark: 'flush-audit',
  title: 'Flush with audit rows',
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
  node: process.version,
  packages: { '@mikro-orm/core': version('@mikro-orm/core'), zod: version('zod'), 'better-sqlite3': version('better-sqlite3'), pg: version('pg') },
  settings: { ...cfg, smoke },
  variants: VARIANTS,
  method:
    `${cfg.warmup} warm-up + ${cfg.rounds} round(s). Each round: insert ${cfg.rows} rows in one flush (tables emptied first, untimed), ` +
    'update them all in one flush, remove them all in one flush; variants rotated within each operation; only em.flush() timed. Ratios per round, then the median.',
  skipped,
  seconds,
  results,
};
const md = [];
md.push(`# ${json.title}`, '');
md.push(
  `Measured ${json.date.slice(0, 10)} on ${json.machine.cpu} (${json.machine.cores} cores), Node ${json.node}, @mikro-orm/core ${json.packages['@mikro-orm/core']}` +
    `, load average ${json.machine.loadAverage1m.before} → ${json.machine.loadAverage1m.after} (per round: ${load.join(', ')})` +
    (json.commit ? `, commit ${json.commit}` : '') +
    `. ${cfg.rows.toLocaleString('en')} rows in one flush, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), ${seconds} s. Regenerate with \`npm run bench -- flush-audit\`.`,
);
if (smoke) md.push('', '**Smoke run: tiny sizes, one round. These figures measure nothing.**');
md.push('', 'a: bare MikroORM, no behaviour · b: hand-written timestamps, validation, soft delete and audit subscriber · c: our timestamp, validation, softDelete and audit plugins. Median ms in flush (min–max).', '');
md.push('| database | operation | a: bare | b: hand-written + audit | c: our plugins + audit | c/b (≤ 1.05) | b/a | c/a |');
md.push('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const cell = k => `${fmt(r.figures[k].ms.median)} (${fmt(r.figures[k].ms.min)}–${fmt(r.figures[k].ms.max)})`;
  const rc = (k, t) => `${fmtRatio(r.ratios[k].median)} (${fmtRatio(r.ratios[k].min)}–${fmtRatio(r.ratios[k].max)})${t ? (r.targets[k].met ? ' ✓' : ' **✗**') : ''}`;
  md.push(`| ${r.database} | ${r.workload} | ${cell('a')} | ${cell('b')} | ${cell('c')} | ${rc('c/b', true)} | ${rc('b/a')} | ${rc('c/a')} |`);
}
if (Object.keys(skipped).length) md.push('', `Skipped: ${Object.entries(skipped).map(([k, v]) => `${k} (${v})`).join('; ')}.`);
writeResults('flush-audit', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);
