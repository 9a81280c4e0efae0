// flush-insert, flush-update and remove: one harness, three workloads. Variants a–d (lib/mikro.mjs) on
// each database, each workload as one flush of all rows and as batches (one fork and one flush per batch).
// Only the flushes are timed: em.create, the loads before an update or a remove, and the reseeding are not.
import os from 'node:os';
import { settings, databases, smoke } from './cli.mjs';
import { figure, ratio, round3, runRounds, timed } from './harness.mjs';
import { DATABASE_LABELS, VARIANTS, emptyTable, itemData, seed, variantOrm } from './mikro.mjs';
import { fmt, fmtRatio, gitCommit, machine, version, writeResults } from './results.mjs';
import { pgAvailable } from './pg.mjs';

export const TARGETS = { cOverB: 1.05, dOverA: 1.02 };

const WORKLOADS = {
  'flush-insert': {
    title: 'Flush: insert',
    behaviour: { timestamps: true, validation: true },
    describe: 'em.create() then flush; cleanup (untimed) empties the table',
  },
  'flush-update': {
    title: 'Flush: update',
    behaviour: { timestamps: true, validation: true },
    describe: 'load the rows (untimed), change name and age on each, flush',
  },
  remove: {
    title: 'Flush: remove (soft delete in b and c)',
    behaviour: { timestamps: true, validation: true, softDelete: true },
    describe: 'reseed (untimed), load the rows and em.remove() each (untimed), flush; a and d delete, b and c soft-delete',
  },
};

export async function runFlushScenario(scenario, defaults = {}) {
  const workload = WORKLOADS[scenario];
  const cfg = settings({ rounds: 5, warmup: 1, ...defaults });
  const dbs = [];
  const skipped = {};
  for (const db of databases()) {
    if (db === 'postgresql' && !(await pgAvailable())) skipped[db] = 'PostgreSQL not reachable on 127.0.0.1:5432';
    else dbs.push(db);
  }
  const modes = [
    { key: 'one-flush', label: `${cfg.rows.toLocaleString('en')} rows in one flush`, size: cfg.rows },
    { key: 'batches', label: `${cfg.rows.toLocaleString('en')} rows in flushes of ${cfg.batch}`, size: cfg.batch },
  ];
  console.log(
    `${scenario}: ${cfg.rows} rows, batches of ${cfg.batch}, ${cfg.warmup} warm-up + ${cfg.rounds} round(s), databases: ${dbs.join(', ')}` +
      (Object.keys(skipped).length ? ` (skipped: ${Object.entries(skipped).map(([k, v]) => `${k}: ${v}`).join('; ')})` : ''),
  );

  const orms = [];
  const cases = [];
  const checks = [];
  for (const db of dbs) {
    const byVariant = {};
    for (const variant of Object.keys(VARIANTS)) {
      const v = await variantOrm({ scenario, db, variant, behaviour: workload.behaviour });
      orms.push(v);
      byVariant[variant] = v;
    }
    await checkBehaviour(scenario, db, byVariant, workload.behaviour);
    checks.push(db);
    for (const mode of modes) {
      const variants = {};
      for (const [variant, v] of Object.entries(byVariant)) variants[variant] = workloadOps(scenario, db, v, cfg.rows, mode.size);
      cases.push({ id: `${db}/${mode.key}`, db, mode: mode.key, modeLabel: mode.label, variants });
    }
  }
  if (scenario === 'flush-update') {
    // The rows every update sample changes, seeded once per variant.
    for (const v of orms) await seed(v.orm, v.entity, cfg.rows);
  }

  const loadBefore = os.loadavg();
  const { samples, load, seconds } = await runRounds({ cases, rounds: cfg.rounds, warmup: cfg.warmup, name: scenario });
  const loadAfter = os.loadavg();
  for (const v of orms) await v.close();

  const rows = cases.map(c => {
    const s = samples.get(c.id);
    const figures = Object.fromEntries(
      Object.keys(c.variants).map(k => [k, { label: VARIANTS[k], ms: figure(s[k]), usPerRow: figure(s[k], cfg.rows / 1000) }]),
    );
    const ratios = { 'c/b': ratio(s, 'c', 'b'), 'd/a': ratio(s, 'd', 'a'), 'b/a': ratio(s, 'b', 'a'), 'c/a': ratio(s, 'c', 'a') };
    return {
      db: c.db,
      database: DATABASE_LABELS[c.db],
      mode: c.mode,
      modeLabel: c.modeLabel,
      figures,
      ratios,
      targets: {
        'c/b': { target: TARGETS.cOverB, met: ratios['c/b'].median <= TARGETS.cOverB },
        'd/a': { target: TARGETS.dOverA, met: ratios['d/a'].median <= TARGETS.dOverA },
      },
    };
  });

  const json = {
    benchmark: scenario,
    title: workload.title,
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), zod: version('zod'), 'better-sqlite3': version('better-sqlite3'), pg: version('pg') },
    settings: { ...cfg, smoke },
    workload: workload.describe,
    variants: VARIANTS,
    method:
      `${cfg.warmup} untimed warm-up round(s), then ${cfg.rounds} timed round(s); each round runs every case and, within a case, ` +
      'variants a–d once each in an order rotated every round, with a full GC before each timed operation. A sample is the ' +
      'time spent in em.flush() for the whole operation (every batch). Figures: median over rounds (ms per operation, µs per row), ' +
      'min and max. Ratios: per round, then the median over rounds.',
    checked: `behaviour verified before timing on ${checks.join(', ')}`,
    skipped,
    seconds,
    results: rows,
  };
  writeResults(scenario, json, markdown(json));
  console.log(`\n${markdown(json)}`);
  return json;
}

/** The timed operation of a workload on one variant, in batches of `size` rows; returns ms spent in flush. */
function workloadOps(scenario, db, v, rows, size) {
  const { orm, entity, table } = v;
  let sample = 0;
  if (scenario === 'flush-insert') {
    return {
      op: async () => {
        let ms = 0;
        for (let start = 0; start < rows; start += size) {
          const em = orm.em.fork();
          for (let i = start; i < Math.min(rows, start + size); i++) em.create(entity, itemData(i + 1));
          ms += await timed(() => em.flush());
        }
        return ms;
      },
      cleanup: () => emptyTable(orm, table, db),
    };
  }
  if (scenario === 'flush-update') {
    return {
      op: async () => {
        sample++;
        let ms = 0;
        for (let start = 0; start < rows; start += size) {
          const em = orm.em.fork();
          const items = await em.find(entity, { id: { $gt: start, $lte: start + size } });
          for (const item of items) {
            item.name = `item ${item.id} v${sample}`;
            item.age = (item.age + 1) % 100;
          }
          ms += await timed(() => em.flush());
        }
        return ms;
      },
    };
  }
  if (scenario === 'remove') {
    return {
      prepare: async () => {
        await emptyTable(orm, table, db);
        await seed(orm, entity, rows);
      },
      op: async () => {
        let ms = 0;
        for (let start = 0; start < rows; start += size) {
          const em = orm.em.fork();
          const items = await em.find(entity, { id: { $gt: start, $lte: start + size } });
          for (const item of items) em.remove(item);
          ms += await timed(() => em.flush());
        }
        return ms;
      },
    };
  }
  throw new Error(`unknown scenario ${scenario}`);
}

/** Before timing: each variant does what it claims (timestamps set or not, invalid rows rejected, rows soft-deleted or gone). */
async function checkBehaviour(scenario, db, byVariant, behaviour) {
  const n = 5;
  for (const [variant, { orm, entity, table, name }] of Object.entries(byVariant)) {
    const withBehaviour = variant === 'b' || variant === 'c';
    const em = orm.em.fork();
    for (let i = 0; i < n; i++) em.create(entity, itemData(i + 1));
    await em.flush();
    const stamped = await orm.em.fork().count(entity, { createdAt: { $ne: null }, updatedAt: { $ne: null } }, { filters: false });
    if (stamped !== (withBehaviour ? n : 0)) throw new Error(`${name} on ${db}: ${stamped} of ${n} rows have timestamps`);
    // An invalid row: rejected by b and c, written by a and d.
    const bad = orm.em.fork();
    bad.create(entity, { name: '', email: 'not an email', age: -1 });
    let rejected = false;
    try {
      await bad.flush();
    } catch {
      rejected = true;
    }
    if (rejected !== withBehaviour) throw new Error(`${name} on ${db}: an invalid row was ${rejected ? 'rejected' : 'written'}`);
    // Update: updatedAt moves in b and c.
    const up = orm.em.fork();
    const first = await up.findOneOrFail(entity, { name: itemData(1).name }, { filters: false });
    const before = first.updatedAt?.getTime() ?? null;
    await new Promise(r => setTimeout(r, 5));
    first.age = first.age + 1;
    await up.flush();
    const after = (await orm.em.fork().findOneOrFail(entity, first.id, { filters: false })).updatedAt?.getTime() ?? null;
    if (withBehaviour !== (after !== null && after !== before)) throw new Error(`${name} on ${db}: updatedAt ${before} → ${after}`);
    if (behaviour.softDelete) {
      const rm = orm.em.fork();
      for (const item of await rm.find(entity, {})) rm.remove(item);
      await rm.flush();
      const left = await orm.em.fork().count(entity, {}, { filters: false });
      const visible = await orm.em.fork().count(entity, {});
      const expectLeft = withBehaviour ? n + (rejected ? 0 : 1) : 0;
      if (left !== expectLeft || visible !== 0) throw new Error(`${name} on ${db}: after remove ${left} rows left, ${visible} visible`);
    }
    await emptyTable(orm, table, db);
  }
}

function markdown(json) {
  const md = [];
  md.push(`# ${json.title}`);
  md.push('');
  md.push(
    `Measured ${json.date.slice(0, 10)} on ${json.machine.cpu} (${json.machine.cores} cores), Node ${json.node}, @mikro-orm/core ${json.packages['@mikro-orm/core']}` +
      `, load average ${json.machine.loadAverage1m.before} → ${json.machine.loadAverage1m.after} (per round: ${json.machine.loadAverage1mPerRound.join(', ')})` +
      (json.commit ? `, commit ${json.commit}` : '') +
      `. ${json.settings.warmup} warm-up + ${json.settings.rounds} round(s), ${json.seconds} s. Workload: ${json.workload}. ` +
      `Regenerate with \`npm run bench -- ${json.benchmark}\`.`,
  );
  if (json.settings.smoke) md.push('', '**Smoke run: tiny sizes, one round. These figures measure nothing.**');
  md.push('');
  md.push('Median ms in flush per operation (min–max over rounds); ratios per round, median (min–max):');
  md.push('');
  md.push('| database | operation | a: bare | b: hand-written | c: our plugins | d: ours, no plugin | c/b (≤ 1.05) | d/a (≤ 1.02) | b/a | c/a |');
  md.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of json.results) {
    const cell = k => `${fmt(r.figures[k].ms.median)} (${fmt(r.figures[k].ms.min)}–${fmt(r.figures[k].ms.max)})`;
    const rc = (k, t) =>
      `${fmtRatio(r.ratios[k].median)} (${fmtRatio(r.ratios[k].min)}–${fmtRatio(r.ratios[k].max)})${t ? (r.targets[k].met ? ' ✓' : ' **✗**') : ''}`;
    md.push(`| ${r.database} | ${r.modeLabel} | ${cell('a')} | ${cell('b')} | ${cell('c')} | ${cell('d')} | ${rc('c/b', true)} | ${rc('d/a', true)} | ${rc('b/a')} | ${rc('c/a')} |`);
  }
  md.push('');
  md.push('µs per row (median): ' + json.results.map(r => `${r.database} ${r.mode}: ${['a', 'b', 'c', 'd'].map(k => `${k} ${fmt(r.figures[k].usPerRow.median)}`).join(', ')}`).join('; ') + '.');
  if (Object.keys(json.skipped).length) md.push('', `Skipped: ${Object.entries(json.skipped).map(([k, v]) => `${k} (${v})`).join('; ')}.`);
  void round3;
  return md.join('\n');
}
