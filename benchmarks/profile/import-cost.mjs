// The import-cost target in instructions instead of milliseconds: valgrind's callgrind counts what a Node process
// executes to import @mikro-orm/core alone, then core and 'mikro-orm-plugins', then core and every runtime entry;
// the difference is what this package adds. `node --predictable` (no background threads) makes the count the same
// on every run, whatever else the machine does; the timed figure is benchmarks/import-cost.bench.mjs.
//   node benchmarks/profile/import-cost.mjs          (needs valgrind and dist/: npm run build; about a minute)
// Also writes a CPU profile of b (core, then the package) to .tmp/prof/import-cost/ for profile/summary.mjs.
import { spawnSync } from 'node:child_process';
import { countInstructions, requireValgrind, valgrindVersion } from '../lib/callgrind.mjs';
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gitCommit, machine, root, version, writeResults } from '../lib/results.mjs';

const VARIANTS = {
  n: { label: 'node, nothing imported', imports: [] },
  a: { label: '@mikro-orm/core alone', imports: ['@mikro-orm/core'] },
  b: { label: "@mikro-orm/core + 'mikro-orm-plugins'", imports: ['@mikro-orm/core', 'mikro-orm-plugins'] },
  c: { label: 'core + ., audit, cache, operations', imports: ['@mikro-orm/core', 'mikro-orm-plugins', 'mikro-orm-plugins/audit', 'mikro-orm-plugins/cache', 'mikro-orm-plugins/operations'] },
};
const source = imports => imports.map(spec => `await import(${JSON.stringify(spec)});`).join('\n') || 'void 0;';
const env = { ...process.env };
for (const name of ['NODE_COMPILE_CACHE', 'NODE_OPTIONS']) delete env[name];

requireValgrind();

function instructions(imports) {
  return countInstructions(['--input-type=module', '-e', source(imports)], `callgrind of ${imports.join(', ') || 'nothing'}`, { cwd: root, env });
}

const loadBefore = os.loadavg();
const started = Date.now();
const keys = Object.keys(VARIANTS);
const counts = {};
// Two at a time: one per core.
for (let i = 0; i < keys.length; i += 2) {
  const pair = keys.slice(i, i + 2);
  const got = await Promise.all(pair.map(k => instructions(VARIANTS[k].imports)));
  pair.forEach((k, j) => (counts[k] = got[j]));
}
const m = x => Math.round(x / 1e5) / 10; // millions, one decimal
const ratio = (x, y) => Math.round((x / y) * 1000) / 1000;
const core = counts.a - counts.n;
const derived = {
  coreImport: core,
  addedByPackage: counts.b - counts.a,
  addedByEveryEntry: counts.c - counts.a,
  'b/a': ratio(counts.b - counts.n, core),
  'c/a': ratio(counts.c - counts.n, core),
};

// A CPU profile of b, for `node benchmarks/profile/summary.mjs .tmp/prof/import-cost/*.cpuprofile`.
const profDir = join(root, '.tmp/prof/import-cost');
mkdirSync(profDir, { recursive: true });
spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=100', '--input-type=module', '-e', source(VARIANTS.b.imports)], { cwd: root, env });
const profile = readdirSync(profDir).filter(f => f.endsWith('.cpuprofile')).sort().at(-1);

const md = [
  '| variant | instructions (millions) | over node alone |',
  '|---|---|---|',
  ...keys.map(k => `| ${k}: ${VARIANTS[k].label} | ${m(counts[k]).toLocaleString('en')} | ${m(counts[k] - counts.n).toLocaleString('en')} |`),
  '',
  `Added by \`import 'mikro-orm-plugins'\` over core alone: ${m(derived.addedByPackage)} M instructions (core itself: ${m(core)} M), b ÷ a = ${derived['b/a']}×; ` +
    `every runtime entry: ${m(derived.addedByEveryEntry)} M, c ÷ a = ${derived['c/a']}×. callgrind, node --predictable, one run each (deterministic).`,
].join('\n');
console.log(`\n${md}\n\nCPU profile of b: ${profile ? join(profDir, profile) : '(none written)'}`);
writeResults(
  'import-instructions',
  {
    benchmark: 'import-instructions',
    title: 'Import cost in instructions (valgrind callgrind)',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, os.loadavg()),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), valgrind: valgrindVersion() },
    variants: Object.fromEntries(keys.map(k => [k, VARIANTS[k].label])),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    instructions: counts,
    derived,
  },
  `# Import cost in instructions\n\n${md}`,
);
