// Runs the benchmarks: `npm run bench` (all), `npm run bench -- dispatch read` (by name).
//   --no-build     skip compiling src/ to dist/ (the benchmarks import dist/)
//   --no-report    do not regenerate results/summary.md and results/overhead.svg afterwards
//   --no-install   never install the peer ORMs (the peers scenario then fails if they are missing)
//   --list         print the scenario names and exit
// Every other flag goes to the scripts: --quick (one round), --smoke (tiny sizes, one round),
// --rounds=N, --warmup=N, --rows=N, --batch=N, --db=sqlite-memory,sqlite-file,postgresql, --out=DIR
// (see benchmarks/lib/cli.mjs). Each `benchmarks/<name>.bench.mjs` runs in its own Node process with --expose-gc.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const own = ['--no-build', '--no-report', '--no-install', '--list'];
const build = !args.includes('--no-build');
const names = args.filter(a => !a.startsWith('--'));
const passed = args.filter(a => a.startsWith('--') && !own.includes(a));

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`Node ${process.version}: the benchmarks need Node 22 (run them through \`npm run bench\`).`);
  process.exit(1);
}

const available = readdirSync(here)
  .filter(f => f.endsWith('.bench.mjs'))
  .map(f => f.slice(0, -'.bench.mjs'.length))
  .sort();
if (args.includes('--list')) {
  console.log(available.join('\n'));
  process.exit(0);
}
const unknown = names.filter(n => !available.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.join(', ')}`);
  process.exit(1);
}
const selected = names.length > 0 ? names : available;

if (build) {
  console.log('> node tools/build.mjs (npm run build)');
  const result = spawnSync(process.execPath, [`${root}tools/build.mjs`], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Build failed: the benchmarks run against dist/.');
    process.exit(result.status ?? 1);
  }
}

// The peer ORMs (Sequelize, TypeORM) are dev dependencies of benchmarks/package.json only.
if (selected.includes('peers') && !existsSync(`${here}node_modules/typeorm`) && !args.includes('--no-install')) {
  console.log('> npm install --prefix benchmarks (the peer ORMs, for the peers scenario)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', 'benchmarks', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) console.error('Installing the peer ORMs failed: the peers scenario will fail.');
}

const started = Date.now();
const failed = [];
for (const name of selected) {
  console.log(`\n> benchmarks/${name}.bench.mjs ${passed.join(' ')} (load average ${os.loadavg()[0].toFixed(2)})`);
  const t0 = Date.now();
  const result = spawnSync(process.execPath, ['--expose-gc', `${here}${name}.bench.mjs`, ...passed], { cwd: root, stdio: 'inherit' });
  console.log(`< ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${result.status ?? result.signal}`);
  if (result.status !== 0) failed.push(name);
}

if (!args.includes('--no-report')) {
  console.log('\n> benchmarks/report.mjs');
  const out = passed.find(a => a.startsWith('--out='));
  spawnSync(process.execPath, [`${here}report.mjs`, ...(out ? [out] : [])], { cwd: root, stdio: 'inherit' });
}

console.log(`\n${selected.length - failed.length} of ${selected.length} benchmark(s) ran in ${((Date.now() - started) / 1000).toFixed(0)} s (load average now ${os.loadavg().map(x => x.toFixed(2)).join(' ')}).`);
if (failed.length > 0) {
  console.error(`Failed: ${failed.join(', ')}`);
  process.exit(1);
}
