// Where results go. Each scenario writes `results/<name>.json` and `results/<name>.md`, and merges its
// JSON into `results/latest.json` under `scenarios.<name>`, so latest.json always holds the last run of
// every scenario, each with its own date, machine, load average and package versions.
// `--out=DIR` (or BENCH_OUT) writes all of it elsewhere (the smoke test uses a temporary directory).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outDir } from './cli.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const benchDir = fileURLToPath(new URL('../', import.meta.url));
export const resultsDir = outDir ? resolve(outDir) : join(benchDir, 'results');

/** The version of an installed package, looked up in benchmarks/node_modules then the root node_modules. */
export function version(pkg) {
  for (const base of [join(benchDir, 'node_modules'), join(root, 'node_modules')]) {
    const file = join(base, pkg, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return null;
}

/** HEAD's short hash, with ` + uncommitted src/` when dist/ was built from a src/ that differs from it. */
export function gitCommit() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') === '' ? head : `${head} + uncommitted src/`;
  } catch {
    return null;
  }
}

export function machine(loadBefore, loadAfter, extra = {}) {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: { before: Math.round(loadBefore[0] * 100) / 100, after: Math.round(loadAfter[0] * 100) / 100 },
    ...extra,
  };
}

/** Writes results/<name>.json and results/<name>.md and merges the JSON into results/latest.json. */
export function writeResults(name, json, md) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  if (md !== undefined) writeFileSync(join(resultsDir, `${name}.md`), md.endsWith('\n') ? md : `${md}\n`);
  const latestFile = join(resultsDir, 'latest.json');
  let latest = {};
  try {
    latest = JSON.parse(readFileSync(latestFile, 'utf8'));
  } catch {
    // first run, or an unreadable file: start over
  }
  // The format before every scenario merged into it: one dispatch result at the top level.
  if (!latest.scenarios) latest = { scenarios: latest.benchmark === 'dispatch' ? { dispatch: latest } : {} };
  latest = {
    description:
      'The last run of every benchmark scenario (benchmarks/*.bench.mjs), one entry per scenario, each with its date, machine, ' +
      'load average, Node and package versions. `node benchmarks/report.mjs` turns it into results/summary.md and results/overhead.svg.',
    updated: json.date,
    node: process.version,
    scenarios: { ...latest.scenarios, [name]: json },
  };
  writeFileSync(latestFile, `${JSON.stringify(latest, null, 2)}\n`);
  console.log(`wrote ${join(resultsDir, `${name}.json`)}${md !== undefined ? ` and ${name}.md` : ''}, merged into latest.json`);
}

// Formatting shared by the markdown writers.
export const fmt = x => (x === null || x === undefined ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
export const fmtRatio = x => (x === null || x === undefined ? '—' : `${x.toFixed(3)}×`);
export const fmtMs = x => (x === null || x === undefined ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

/**
 * The end of a scenario: its JSON (name, title, date, commit, the machine with the load average per round, Node,
 * package versions, settings, variants, method, seconds, results), written with its markdown and printed.
 */
export function finishScenario(name, { title, loadBefore, loadAfter, load, packages = ['@mikro-orm/core'], settings, variants, method, seconds, results }, md) {
  const json = {
    benchmark: name,
    title,
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, loadAfter, { loadAverage1mPerRound: load }),
    node: process.version,
    packages: Object.fromEntries(packages.map(pkg => [pkg, version(pkg)])),
    settings,
    variants,
    method,
    seconds,
    results,
  };
  writeResults(name, json, md);
  console.log(`\n${md}`);
  return json;
}
