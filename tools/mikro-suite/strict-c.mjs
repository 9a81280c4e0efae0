#!/usr/bin/env node
// Strict analysis of the mode-c regressions (pluginSystem({ global: ['timestamp'] })): a test that passes in
// mode a and not in mode c is "expected" only when its failure can be shown to come from the timestamp
// columns alone.
//
//   node strict-c.mjs [results/c.json] [--base results/a.json] [--log results/c.log] [--extra-logs DIR]
//                     [--isolate] [--json out.json] [--show <test name part>] [-v]
//
//   --isolate  reruns every unexplained failed test alone (`SUITE_MODE=c CI=true npx vitest run <file> -t
//              '^<name>$'`, one at a time, against the package installed in the runner now) and caches the
//              result in <extra-logs>/isolated/; later runs without --isolate reuse the cache. A test that
//              passes alone is "consequential"; one that fails alone is classified by that failure.
//   --show     prints both sides of the diff as the normaliser left them, and the removed timestamp items
//   -v         lists every test of every class
//
// The vitest JSON report has no diffs (only the stack), so the diffs are read from the run's log, which the
// dot reporter ends with every failure and its diff: results/<name>.log next to the JSON (or --log). Logs of
// single-file reruns (`SUITE_MODE=c npx vitest run <file> > DIR/<anything>.log 2>&1`) in --extra-logs
// (default ../strict-scratch/logs) are used for tests whose failure the main log lacks.
//
// Classes:
//   expected          the diff (snapshot, toEqual, toMatchObject, toMatch/toBe of strings) is identical on both
//                     sides once every timestamp column/field is removed by the normaliser, and every
//                     timestamp the expected side already had (an entity's own createdAt) is in the received
//                     side unchanged (same definition/value, same neighbour)
//   expected-bypass   NOT NULL on created_at/updated_at from a write that bypasses entity hooks (raw SQL,
//                     kysely, QueryBuilder insert, driver.nativeInsert, pivot rows MikroORM writes itself);
//                     a database default removes them
//   expected-external-schema  "no such column created_at": the table was created by raw SQL in the test
//   consequential     fails in the full run, passes when run alone: an earlier failure of its file left state
//                     behind (identity map not cleared, rows, files)
//   unexplained       anything else, with the reason and a hint of what changed (known patterns)
//
// Normaliser (applied to both sides of a diff, hunk by hunk): strict-c/normalise.mjs (objects, generated
// code) and strict-c/sql-normaliser.mjs (SQL) say what they remove; strict-c/compare-sides.mjs what else it
// accepts (generated-code temp indexes shifted by an even number).
//
// The modules live in strict-c/ next to this file; this file reads the options and runs the steps in order.
import fs from 'node:fs';
import path from 'node:path';
import { diagnose } from './strict-c/diagnose.mjs';
import { applyIsolatedRuns } from './strict-c/isolated-runs.mjs';
import { parseLog } from './strict-c/log.mjs';
import { printReport } from './strict-c/print-report.mjs';
import { collectRegressions } from './strict-c/regressions.mjs';
import { loadReport } from './strict-c/report.mjs';
import { sourceReader } from './strict-c/test-sources.mjs';

// the runner: this file is copied into it, and the tests, results and package are found from here
const here = path.dirname(new URL(import.meta.url).pathname);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const verbose = args.includes('-v');
const isolate = args.includes('--isolate'); // rerun each unexplained failed test alone (cached in <extra-logs>/isolated)
const show = opt('--show', null); // a test name substring: print what the normaliser made of both sides
const jsonOut = opt('--json', null);
const basePath = path.resolve(opt('--base', path.join(here, 'results/a.json')));
const logArg = opt('--log', null);
const extraLogs = path.resolve(opt('--extra-logs', path.join(here, '../strict-scratch/logs')));
const cPath = path.resolve(args.find(a => !a.startsWith('-')) ?? path.join(here, 'results/c.json'));
const logPath = logArg ? path.resolve(logArg) : cPath.replace(/\.json$/, '.log');

const a = loadReport(basePath, here);
const c = loadReport(cPath, here);
const log = { tests: new Map(), files: new Map() };
if (fs.existsSync(logPath)) parseLog(fs.readFileSync(logPath, 'utf8'), log);
const extra = { tests: new Map(), files: new Map() };
if (fs.existsSync(extraLogs)) for (const f of fs.readdirSync(extraLogs).filter(f => f.endsWith('.log')).sort()) parseLog(fs.readFileSync(path.join(extraLogs, f), 'utf8'), extra);
const source = sourceReader(here);

const results = collectRegressions({ a, c, log, extra, show, source });
applyIsolatedRuns(results, c.tests, { here, extraLogs, isolate, source });
for (const r of results) if (r.cls === 'unexplained') r.diagnosis = diagnose(r, source(r.key.split(' > ')[0]));
printReport(results, { a, c, cPath, basePath, logPath, verbose });
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results.map(({ body, ...r }) => r), null, 1));
