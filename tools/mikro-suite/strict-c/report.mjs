// Reads a vitest JSON report: one entry per test, keyed by "<file> > <describe…> > <title>".
import fs from 'node:fs';
import path from 'node:path';
import { ansi } from './text.mjs';

/**
 * { tests: Map<key, { key, file, name, status, msg }>, fileErrors: Map<file, message> }. `here` is the
 * runner, to which absolute test paths are made relative. A key that repeats in one file (tests with the
 * same name) gets " ⟨n⟩" from its second occurrence on, so that every test keeps its own entry.
 */
export function loadReport(file, here) {
  const rep = JSON.parse(fs.readFileSync(file, 'utf8'));
  const tests = new Map();
  const fileErrors = new Map();
  for (const tr of rep.testResults) {
    const rel = path.isAbsolute(tr.name) ? path.relative(here, tr.name) : tr.name;
    const failed = tr.assertionResults.filter(a => a.status === 'failed').length;
    // a file that failed without a failed test: a hook or an import failed, its tests are skipped
    if (tr.status === 'failed' && failed === 0) fileErrors.set(rel, ansi(tr.message));
    const seen = new Map();
    for (const a of tr.assertionResults) {
      let key = `${rel} > ${[...a.ancestorTitles, a.title].join(' > ')}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 1) key += ` ⟨${n}⟩`;
      tests.set(key, { key, file: rel, name: [...a.ancestorTitles, a.title].join(' '), status: a.status, msg: ansi((a.failureMessages ?? []).join('\n')) });
    }
  }
  return { tests, fileErrors };
}
