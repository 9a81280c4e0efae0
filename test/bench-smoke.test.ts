// Smoke run of every benchmark scenario: tiny sizes, one round, each script in its own Node process,
// its JSON output parsed. It checks that the scripts still work and that their outputs have the expected
// shape; no figure is compared with anything (benchmarks are never timed tests).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, 'benchmarks');
const out = mkdtempSync(join(tmpdir(), 'mop-bench-smoke-'));
// Its own PostgreSQL database (created on demand), so a smoke run never touches a full run's tables.
const pgDb = process.env.BENCH_PG_DB ?? 'mop_bench_smoke';
const scenarios = readdirSync(benchDir)
  .filter(f => f.endsWith('.bench.mjs'))
  .map(f => f.slice(0, -'.bench.mjs'.length))
  .sort();
// The peer ORMs are dev dependencies of benchmarks/package.json only; this test installs nothing.
const peersInstalled = existsSync(join(benchDir, 'node_modules', 'typeorm')) && existsSync(join(benchDir, 'node_modules', 'sequelize'));

type Json = Record<string, any>;

function runScript(script: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--expose-gc', script, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function readJson(name: string): Json {
  return JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
}

const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);

beforeAll(() => {
  // The scripts import the compiled package from dist/.
  const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('benchmarks smoke run (tiny sizes, no timing asserted)', () => {
  it('finds the scenarios', () => {
    expect(scenarios).toEqual(expect.arrayContaining(['dispatch', 'flush-audit', 'flush-insert', 'flush-update', 'memory', 'peers', 'read', 'remove', 'scale']));
  });

  for (const name of scenarios) {
    const skip = name === 'peers' && !peersInstalled;
    const title = skip ? `${name} (skipped: benchmarks/node_modules has no peer ORMs; npm install --prefix benchmarks)` : name;
    it.skipIf(skip)(title, () => {
      const { status, output } = runScript(join(benchDir, `${name}.bench.mjs`), ['--smoke', `--out=${out}`, `--pg-db=${pgDb}`]);
      expect(status, output).toBe(0);
      const json = readJson(name);
      expect(json.benchmark).toBe(name);
      expect(json.node).toBe(process.version);
      expect(typeof json.machine.cores).toBe('number');
      expect(readFileSync(join(out, `${name}.md`), 'utf8')).toContain('|---');
      checkShape(name, json);
    }, 60_000);
  }

  it('merges every scenario into latest.json and renders the summary and the SVG chart', () => {
    const latest = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    const expected = scenarios.filter(n => n !== 'peers' || peersInstalled);
    expect(Object.keys(latest.scenarios).sort()).toEqual(expected);
    const { status, output } = runScript(join(benchDir, 'report.mjs'), [`--out=${out}`]);
    expect(status, output).toBe(0);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('## Targets');
    const svg = readFileSync(join(out, 'overhead.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // An explicit background, so the chart reads in light and dark mode.
    expect(svg).toMatch(/<rect x="0" y="0" width="\d+" height="\d+" fill="#ffffff"/);
    expect(svg).not.toContain('NaN');
  });
});

function checkShape(name: string, json: Json): void {
  if (name === 'dispatch') {
    expect(json.results.length).toBeGreaterThan(0);
    for (const r of json.results) expect(finite(r.figures.plain.medianNs)).toBe(true);
    return;
  }
  if (name === 'import-cost') {
    const [r] = json.results;
    for (const k of ['a', 'b', 'c']) expect(r.figures[k].ms.median).toBeGreaterThan(0);
    // b loads this package on top of core: more files, some of them this repository's.
    expect(r.figures.b.modules.files).toBeGreaterThan(r.figures.a.modules.files);
    expect(r.figures.b.modules.ours).toBeGreaterThan(0);
    expect(finite(r.added.b.median)).toBe(true);
    expect(typeof r.targets['b − a'].met).toBe('boolean');
    return;
  }
  if (name === 'scale') {
    for (const op of ['flush', 'dispatch']) {
      const r = json.results[op];
      for (const f of Object.values(r.figures) as Json[]) expect(finite(f.value.median)).toBe(true);
      for (const t of Object.values(r.targets) as Json[]) expect(typeof t.met).toBe('boolean');
    }
    return;
  }
  if (name === 'peers') {
    expect(json.results.length).toBeGreaterThan(0);
    for (const r of json.results) {
      expect(['MikroORM', 'Sequelize', 'TypeORM']).toContain(r.orm);
      expect(finite(r.ratiosToWithoutHooks.hooked.median)).toBe(true);
    }
    return;
  }
  if (name === 'memory') {
    const [r] = json.results;
    for (const k of ['a', 'c', 'd']) expect(r.figures[k].value.median).toBeGreaterThan(0);
    for (const k of ['c/a', 'd/a']) expect(typeof r.targets[k].met).toBe('boolean');
    return;
  }
  if (name === 'flush-audit') {
    expect(json.results.map((r: Json) => r.workload)).toEqual(expect.arrayContaining(['insert', 'update', 'remove']));
    for (const r of json.results) {
      for (const k of ['a', 'b', 'c']) expect(finite(r.figures[k].ms.median)).toBe(true);
      expect(typeof r.targets['c/b'].met).toBe('boolean');
    }
    return;
  }
  if (name === 'cache') {
    // Beside a–d: the hit into a request's em (e) and MikroORM's entity factory merge alone (m), its floor.
    for (const r of json.results) {
      for (const k of ['e', 'm']) expect(finite(r.figures[k].value.median)).toBe(true);
      expect(finite(r.ratios['e/m'].median)).toBe(true);
      expect(typeof r.targets.e.met).toBe('boolean');
    }
  }
  // flush-insert, flush-update, remove, read, cache: variants a–d on each database that answered.
  expect(json.results.length).toBeGreaterThan(0);
  const dbs = new Set(json.results.map((r: Json) => r.db));
  expect(dbs.has('sqlite-memory')).toBe(true);
  expect(dbs.has('sqlite-file')).toBe(true);
  if (!dbs.has('postgresql')) expect(json.skipped.postgresql).toMatch(/PostgreSQL/);
  for (const r of json.results) {
    for (const k of ['a', 'b', 'c', 'd']) expect(finite((r.figures[k].ms ?? r.figures[k].value).median)).toBe(true);
    for (const k of ['c/b', 'd/a']) {
      expect(finite(r.ratios[k].median)).toBe(true);
      expect(typeof r.targets[k].met).toBe('boolean');
    }
  }
}
