// import-cost: what `import 'mikro-orm-plugins'` adds to an application's start over `@mikro-orm/core` alone.
// Target (issue "Faster than hand-written hooks"): ≤ 15 ms added.
// Every sample is a fresh Node process (module loading is what is measured, and a process loads a module once):
//   a  imports @mikro-orm/core
//   b  imports @mikro-orm/core, then mikro-orm-plugins (as an application does: MikroORM first, then ours)
//   c  as b, then mikro-orm-plugins/audit, /cache and /operations (every runtime entry an application may use)
// Each child times its own dynamic imports (performance.now() around each), so Node's own start is not counted.
// A round runs a, b and c once each, in an order rotated each round; the added cost is b − a within a round,
// and the figure the median over rounds. Module counts come from one more child per variant, untimed, that
// counts the module URLs Node loads (module.registerHooks). The package is resolved by its name from the
// repository root (a self-reference through package.json "exports"), so it runs what `npm run build` put in dist/.
// Run through `npm run bench -- import-cost`. A benchmark, never a test: nothing asserts on time.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { settings, smoke } from './lib/cli.mjs';
import { figure, median, round3 } from './lib/harness.mjs';
import { finishScenario, fmt, fmtRatio, root } from './lib/results.mjs';

const TARGET_MS = 15;
const VARIANTS = {
  a: { label: '@mikro-orm/core alone', imports: ['@mikro-orm/core'] },
  b: { label: "@mikro-orm/core + 'mikro-orm-plugins'", imports: ['@mikro-orm/core', 'mikro-orm-plugins'] },
  c: {
    label: 'core + every runtime entry (., audit, cache, operations)',
    imports: ['@mikro-orm/core', 'mikro-orm-plugins', 'mikro-orm-plugins/audit', 'mikro-orm-plugins/cache', 'mikro-orm-plugins/operations'],
  },
};
const cfg = settings({ rounds: 40, warmup: 3, smoke: {} });
if (smoke) cfg.rounds = 2;
console.log(`import-cost: ${cfg.warmup} warm-up + ${cfg.rounds} round(s), one fresh process per variant per round`);

// No compile cache and no preloaded modules: the cost a first `node app.js` pays.
const env = { ...process.env };
for (const name of ['NODE_COMPILE_CACHE', 'NODE_OPTIONS', 'NODE_DISABLE_COMPILE_CACHE']) delete env[name];

const timer = imports => `
const { performance } = await import('node:perf_hooks');
const ms = [];
for (const spec of ${JSON.stringify(imports)}) {
  const t0 = performance.now();
  await import(spec);
  ms.push(performance.now() - t0);
}
console.log(JSON.stringify(ms));`;

const counter = imports => `
import { registerHooks } from 'node:module';
const urls = new Set();
registerHooks({ load(url, context, next) { urls.add(url); return next(url, context); } });
const counts = [];
for (const spec of ${JSON.stringify(imports)}) {
  await import(spec);
  const all = [...urls];
  counts.push({ files: all.filter(u => u.startsWith('file:')).length, ours: all.filter(u => u.startsWith('file:') && !u.includes('/node_modules/')).length, builtins: all.filter(u => u.startsWith('node:')).length });
}
console.log(JSON.stringify(counts));`;

function child(source) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`import-cost child failed (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

// Before timing: every variant loads, and b really loads this package's build (dist/), not something else.
const counts = Object.fromEntries(Object.entries(VARIANTS).map(([k, v]) => [k, child(counter(v.imports))]));
if (counts.b.at(-1).ours === 0) throw new Error('import-cost: mikro-orm-plugins loaded no file of this repository (is dist/ built?)');

const keys = Object.keys(VARIANTS);
const samples = Object.fromEntries(keys.map(k => [k, []]));
const load = [];
const loadBefore = os.loadavg();
const started = Date.now();
for (let round = 0; round < cfg.warmup + cfg.rounds; round++) {
  const order = keys.map((_, i) => keys[(i + round) % keys.length]);
  const timed = {};
  for (const k of order) timed[k] = child(timer(VARIANTS[k].imports));
  if (round < cfg.warmup) continue;
  for (const k of keys) samples[k].push(timed[k]);
  load.push(round3(os.loadavg()[0]));
}
const loadAfter = os.loadavg();
const sum = xs => xs.reduce((s, x) => s + x, 0);

const core = samples.a.map(ms => ms[0]);
const totals = Object.fromEntries(keys.map(k => [k, samples[k].map(sum)]));
const perRound = (num, fn) => totals[num].map((x, i) => fn(x, core[i]));
const spread = values => ({ median: round3(median(values)), min: round3(Math.min(...values)), max: round3(Math.max(...values)), rounds: values.map(round3) });
const added = { b: spread(perRound('b', (x, a) => x - a)), c: spread(perRound('c', (x, a) => x - a)) };
const ratios = { 'b/a': spread(perRound('b', (x, a) => x / a)), 'c/a': spread(perRound('c', (x, a) => x / a)) };
// Inside b's own process: the time of `import 'mikro-orm-plugins'` alone, core being loaded already.
const oursInProcess = figure(samples.b.map(ms => ms[1]));
const modules = Object.fromEntries(keys.map(k => [k, counts[k].at(-1)]));
const addedModules = { b: modules.b.files - modules.a.files, c: modules.c.files - modules.a.files };
const met = added.b.median <= TARGET_MS;

const results = [
  {
    op: 'import',
    unit: 'ms',
    figures: Object.fromEntries(keys.map(k => [k, { label: VARIANTS[k].label, ms: figure(totals[k]), modules: modules[k] }])),
    added,
    addedModules,
    oursInProcess,
    ratios,
    targets: { 'b − a': { target: TARGET_MS, unit: 'ms', met } },
  },
];

const [r] = results;
const md = [
  `# Import cost (${cfg.rounds} rounds, a fresh Node process per sample)`,
  '',
  '| variant | ms (median) | range | modules loaded (files, of which this package) |',
  '|---|---|---|---|',
  ...keys.map(k => `| ${k}: ${VARIANTS[k].label} | ${fmt(r.figures[k].ms.median)} | ${fmt(r.figures[k].ms.min)}–${fmt(r.figures[k].ms.max)} | ${modules[k].files} (${modules[k].ours}) |`),
  '',
  '| measure | median | range | target | met? |',
  '|---|---|---|---|---|',
  `| b − a: added by \`import 'mikro-orm-plugins'\` | ${fmt(added.b.median)} ms | ${fmt(added.b.min)}–${fmt(added.b.max)} | ≤ ${TARGET_MS} ms | ${met ? 'yes' : '**no**'} |`,
  `| b ÷ a | ${fmtRatio(ratios['b/a'].median)} | ${fmtRatio(ratios['b/a'].min)}–${fmtRatio(ratios['b/a'].max)} | — | — |`,
  `| c − a: every runtime entry | ${fmt(added.c.median)} ms | ${fmt(added.c.min)}–${fmt(added.c.max)} | — | — |`,
  `| c ÷ a | ${fmtRatio(ratios['c/a'].median)} | ${fmtRatio(ratios['c/a'].min)}–${fmtRatio(ratios['c/a'].max)} | — | — |`,
  `| b's own \`import 'mikro-orm-plugins'\` (core already loaded) | ${fmt(oursInProcess.median)} ms | ${fmt(oursInProcess.min)}–${fmt(oursInProcess.max)} | — | — |`,
  '',
  `Modules added over core: ${addedModules.b} files for \`.\`, ${addedModules.c} for every runtime entry. Load average ${load.length ? `${Math.min(...load)}–${Math.max(...load)}` : '—'}.`,
].join('\n');
finishScenario('import-cost', {
  title: "Import cost: 'mikro-orm-plugins' over '@mikro-orm/core' alone",
  loadBefore,
  loadAfter,
  load,
  settings: { ...cfg, smoke },
  variants: Object.fromEntries(keys.map(k => [k, VARIANTS[k].label])),
  method:
    `${cfg.warmup} untimed warm-up round(s), then ${cfg.rounds} round(s); each round runs every variant once in a fresh Node process, order rotated. ` +
    'A child times each dynamic import() with performance.now(); a figure is the sum of its imports. Added = b − a (or c − a) within a round, then the median.',
  seconds: Math.round((Date.now() - started) / 100) / 10,
  results,
}, md);
