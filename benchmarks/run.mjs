// Runs the benchmarks: `npm run bench` (all), `npm run bench -- dispatch` (by name),
// `npm run bench -- --no-build dispatch` (skip compiling src/ to dist/), `npm run bench -- --quick` (one round).
// Each `benchmarks/<name>.bench.mjs` runs in its own Node process with --expose-gc.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const names = args.filter(a => !a.startsWith('--'));
// Other flags (`--quick`: one round instead of three) go to the benchmark scripts.
const passed = args.filter(a => a.startsWith('--') && a !== '--no-build');

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`Node ${process.version}: the benchmarks need Node 22 (run them through \`npm run bench\`).`);
  process.exit(1);
}

const available = readdirSync(here)
  .filter(f => f.endsWith('.bench.mjs'))
  .map(f => f.slice(0, -'.bench.mjs'.length))
  .sort();
const unknown = names.filter(n => !available.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.join(', ')}`);
  process.exit(1);
}
const selected = names.length > 0 ? names : available;

if (build) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  console.log('> tsc -p tsconfig.build.json');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Build failed: the benchmarks run against dist/.');
    process.exit(result.status ?? 1);
  }
}

for (const name of selected) {
  console.log(`\n> benchmarks/${name}.bench.mjs`);
  const result = spawnSync(process.execPath, ['--expose-gc', `${here}${name}.bench.mjs`, ...passed], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`Benchmark ${name} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}
