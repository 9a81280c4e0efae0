// The report on stdout: totals per class, the explained tests, then the unexplained ones grouped by their
// diagnosis and each with its failure.
import fs from 'node:fs';
import path from 'node:path';

/** Prints `results`; the paths are shown relative to the working directory, `verbose` lists every expected test. */
export function printReport(results, { a, c, cPath, basePath, logPath, verbose }) {
  const byClass = new Map();
  for (const r of results) {
    if (!byClass.has(r.cls)) byClass.set(r.cls, []);
    byClass.get(r.cls).push(r);
  }
  const order = ['expected', 'expected-bypass', 'expected-external-schema', 'consequential', 'unexplained'];
  console.log(`# strict analysis of ${path.relative(process.cwd(), cPath)} against ${path.relative(process.cwd(), basePath)} (log: ${fs.existsSync(logPath) ? path.relative(process.cwd(), logPath) : 'none'})`);
  console.log(`${results.length} tests pass in a and not in c`);
  for (const k of [...order, ...[...byClass.keys()].filter(k => !order.includes(k))]) {
    const v = byClass.get(k) ?? [];
    console.log(`  ${String(v.length).padStart(4)}  ${k}  (${new Set(v.map(r => r.key.split(' > ')[0])).size} files)`);
  }
  const newFileErrors = [...c.fileErrors].filter(([f]) => !a.fileErrors.has(f));
  console.log(`  file-level errors in c: ${newFileErrors.length} (their tests are counted above when skipped)`);

  for (const k of ['expected', 'expected-bypass', 'expected-external-schema', 'consequential']) {
    const v = byClass.get(k) ?? [];
    if (!v.length) continue;
    console.log(`\n## ${k} (${v.length})`);
    if (k === 'expected' && !verbose) {
      const notes = v.filter(r => / — |run alone/.test(r.why));
      console.log(`  (list with -v)${notes.length ? '; with a note:' : ''}`);
      for (const r of notes) console.log(`  - ${r.key}  ::  ${r.why}`);
      continue;
    }
    for (const r of v) console.log(`  - ${r.key}  ::  ${r.why}`);
  }
  const un = byClass.get('unexplained') ?? [];
  console.log(`\n## unexplained (${un.length}), by what changed`);
  const byDiag = new Map();
  for (const r of un) byDiag.set(r.diagnosis, [...(byDiag.get(r.diagnosis) ?? []), r]);
  for (const [d, v] of byDiag) {
    console.log(`\n* ${d}`);
    for (const r of v) console.log(`    - ${r.key}`);
  }
  console.log(`\n## unexplained, each with its failure`);
  for (const r of un) {
    console.log(`\n- ${r.key}  [${r.status}]`);
    console.log(`  changed: ${r.diagnosis}`);
    console.log('  reason: ' + r.why.split('\n').join('\n  '));
    console.log('  failure:');
    for (const l of r.body.filter(l => l.trim() !== '').slice(0, 15)) console.log('    | ' + l.slice(0, 240));
  }
}
