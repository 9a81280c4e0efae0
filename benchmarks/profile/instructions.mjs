// The flush targets (c/b ≤ 1.05, d/a ≤ 1.02) in instructions instead of seconds: valgrind's callgrind counts
// the instructions a process executes, which other processes on the machine do not change, so a 2 % target can be
// checked on a loaded 2-core VM where timings spread by 30 %. Node runs with V8's `--predictable` (no background
// compiler or GC threads, fixed seeds): the same run then counts the same instructions to within a few thousand,
// where without it two runs differed by 10 % (background threads' work lands on different sides of the flush).
//   node benchmarks/profile/instructions.mjs [--rows=3000] [--workloads=flush-insert,flush-update,remove,audit-insert] [--variants=a,b,c,d] [--name=instructions]
// (--name: the results file and latest.json entry; `--name=instructions-10k --rows=10000 --workloads=flush-insert,flush-update
// --variants=a,b,c` gives the timestamp + validation target's own size, 10,000 rows)
// (also audit-update and audit-remove: the flush-audit operations, a b c with c/a; read-find and read-findone: the read
// scenario's find and findOne by primary key, per row read)
// (--variants may add f, the floor: bare MikroORM doing c's writes and hook bodies by hand; f/a is what the
// behaviour costs, c/f what the plugin system adds to it)
// Needs valgrind and dist/ (npm run build). Each variant runs twice (instructions-worker.mjs): with and without
// the measured flush; the difference is what the flush cost. About a minute per run, two at a time.
import { countInstructions, requireValgrind, valgrindVersion } from '../lib/callgrind.mjs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { VARIANTS } from '../lib/mikro.mjs';
import { gitCommit, machine, version, writeResults } from '../lib/results.mjs';

const option = (name, fallback) => process.argv.find(a => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rows = Number(option('rows', '3000'));
const workloads = option('workloads', 'flush-insert,flush-update,remove,audit-insert').split(',');
const variants = option('variants', 'a,b,c,d').split(',');
const name = option('name', 'instructions');
const worker = fileURLToPath(new URL('./instructions-worker.mjs', import.meta.url));

requireValgrind();

const LABELS = { ...VARIANTS, f: 'floor: a doing the same writes and hook bodies by hand' };
// The audit workloads compare b and c with bare MikroORM (a); d would measure nothing new there. Reads have no floor.
const variantsOf = workload => variants.filter(v => !(v === 'd' && workload.startsWith('audit-')) && !(v === 'f' && workload.startsWith('read-')));

function instructions(workload, variant, flush) {
  return countInstructions([worker, workload, variant, String(rows), flush ? '1' : '0'], `${workload} ${variant} flush=${flush}`);
}

const loadBefore = os.loadavg();
const started = Date.now();
const results = [];
for (const workload of workloads) {
  const perRow = {};
  for (const variant of variantsOf(workload)) {
    // The two runs of a variant at once: one per core.
    const [without, withFlush] = await Promise.all([instructions(workload, variant, false), instructions(workload, variant, true)]);
    perRow[variant] = (withFlush - without) / rows;
    console.log(`${workload} ${variant}: ${Math.round(perRow[variant]).toLocaleString('en')} instructions per flushed row`);
  }
  const ratio = (x, y) => (perRow[x] && perRow[y] ? Math.round((perRow[x] / perRow[y]) * 1000) / 1000 : null);
  results.push({ workload, instructionsPerRow: perRow, ratios: { 'c/b': ratio('c', 'b'), 'c/a': ratio('c', 'a'), 'd/a': ratio('d', 'a'), 'b/a': ratio('b', 'a'), 'f/a': ratio('f', 'a'), 'c/f': ratio('c', 'f') } });
}

const times = ratio => (ratio === null ? '—' : `${ratio}×`);
const ratioKeys = ['c/b', 'c/a', 'd/a', 'b/a', ...(variants.includes('f') ? ['f/a', 'c/f'] : [])];
const md = [
  `| workload | ${variants.map(v => `${v}: ${LABELS[v]}`).join(' | ')} | ${ratioKeys.join(' | ')} |`,
  `|---|${variants.map(() => '---').join('|')}|${ratioKeys.map(() => '---').join('|')}|`,
  ...results.map(
    r =>
      `| ${r.workload} | ${variants.map(v => (r.instructionsPerRow[v] === undefined ? '—' : Math.round(r.instructionsPerRow[v]).toLocaleString('en'))).join(' | ')} | ${ratioKeys.map(k => times(r.ratios[k])).join(' | ')} |`,
  ),
  '',
  `Instructions per flushed row (callgrind, node --predictable), SQLite in memory, ${rows.toLocaleString('en')} rows in one flush after one warm-up flush of as many; audit-insert/-update/-remove add one audit row per entity in b and c (timestamps, validation and soft delete too; a is bare).${variants.includes('f') ? " f, the floor, is bare MikroORM doing c's work by hand in the flush's place: inserts and updates set the dates (one per flush) and run the zod parse on each entity, then flush; remove runs the zod parse on each entity too (c's validation checks the soft delete's update), then writes deletedAt, deletionBatch and updatedAt with one nativeUpdate … WHERE id IN per 300 rows (no em.remove(), no diff); the audit workloads add the audit rows after the flush, one em.insertMany per 300." : ''}`,
].join('\n');
console.log(`\n${md}`);
writeResults(
  name,
  {
    benchmark: name,
    title: 'Flush cost in instructions (valgrind callgrind), SQLite in memory',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, os.loadavg()),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), valgrind: valgrindVersion() },
    settings: { rows, workloads, variants, rounds: 1 },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    results,
  },
  md,
);
