// The scale targets in instructions instead of seconds (benchmarks/scale.bench.mjs times them): valgrind's
// callgrind counts a Node process (`--predictable`) that runs F flushes of 100 rows on the target entity T1 (one
// plugin) and one that runs none; the difference ÷ rows is one flushed row. Configurations: 10 and 500 entity
// classes with one plugin on every other entity, 100 with one and with 20 plugins on every other entity.
//   node benchmarks/profile/scale.mjs [--flushes=40]     (needs valgrind and dist/: npm run build)
import { countInstructions, requireValgrind, valgrindVersion } from '../lib/callgrind.mjs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gitCommit, machine, version, writeResults } from '../lib/results.mjs';

const flushes = Number(process.argv.find(a => a.startsWith('--flushes='))?.split('=')[1] ?? '40');
const ROWS_PER_FLUSH = 100;
const worker = fileURLToPath(new URL('./scale-worker.mjs', import.meta.url));
const CONFIGS = { E10: [10, 1], E500: [500, 1], E100: [100, 1], E100x20: [100, 20] };

requireValgrind();

function instructions([entities, fillerPlugins], n) {
  return countInstructions([worker, String(entities), String(fillerPlugins), String(n)], `scale ${entities}/${fillerPlugins} ${n}`);
}

const loadBefore = os.loadavg();
const started = Date.now();
const perRow = {};
for (const [name, config] of Object.entries(CONFIGS)) {
  const [without, withFlushes] = await Promise.all([instructions(config, 0), instructions(config, flushes)]);
  perRow[name] = Math.round((withFlushes - without) / (flushes * ROWS_PER_FLUSH));
  console.log(`${name}: ${perRow[name].toLocaleString('en')} instructions per flushed row`);
}
const ratio = (x, y) => Math.round((perRow[x] / perRow[y]) * 1000) / 1000;
const ratios = { 'E500/E10': ratio('E500', 'E10'), 'E100x20/E100': ratio('E100x20', 'E100') };
const md = [
  '| configuration | instructions per flushed row |',
  '|---|---|',
  '| E10: 10 entity classes, 1 plugin on each | ' + perRow.E10.toLocaleString('en') + ' |',
  '| E500: 500 entity classes, 1 plugin on each | ' + perRow.E500.toLocaleString('en') + ' |',
  '| E100: 100 entity classes, 1 plugin on each | ' + perRow.E100.toLocaleString('en') + ' |',
  '| E100x20: 100 entity classes, 20 plugins on every other one | ' + perRow.E100x20.toLocaleString('en') + ' |',
  '',
  `E500 ÷ E10: ${ratios['E500/E10']}× (target ≤ 1.05); E100x20 ÷ E100: ${ratios['E100x20/E100']}× (target ≤ 1.05). ` +
    `callgrind, node --predictable, SQLite in memory, ${flushes} flushes of ${ROWS_PER_FLUSH} rows on T1 (one plugin) after 5 warm-up flushes; one run each (deterministic).`,
].join('\n');
console.log(`\n${md}`);
writeResults(
  'scale-instructions',
  {
    benchmark: 'scale-instructions',
    title: 'Scale in instructions (valgrind callgrind), SQLite in memory',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, os.loadavg()),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), valgrind: valgrindVersion() },
    settings: { flushes, rowsPerFlush: ROWS_PER_FLUSH, rounds: 1 },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    instructionsPerRow: perRow,
    ratios,
  },
  md,
);
