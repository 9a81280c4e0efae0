// A test that fails after another test of its file failed may fail only because of the state that test left
// (an identity map not cleared, rows not deleted): run it alone, in mode c, and classify that run instead.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { classifyBody } from './classify.mjs';
import { parseLog } from './log.mjs';
import { ansi } from './text.mjs';

const reEscape = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The run of test `t` alone: { status, msg, bodies }, from the cache in isoDir (one .json + .log per test);
 * without a cached run, null unless `isolate` allows running it now (in the runner `here`).
 */
function isolatedRun(t, { here, isoDir, isolate }) {
  const base = t.file.replace(/[^\w.-]+/g, '_') + '__' + crypto.createHash('sha1').update(t.key).digest('hex').slice(0, 10);
  const jsonF = path.join(isoDir, base + '.json');
  const logF = path.join(isoDir, base + '.log');
  if (!fs.existsSync(jsonF)) {
    if (!isolate) return null;
    fs.mkdirSync(isoDir, { recursive: true });
    process.stderr.write(`isolated run: ${t.key}\n`);
    const r = spawnSync('npx', ['vitest', 'run', t.file, '-t', `^${reEscape(t.name)}$`, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonF}`], {
      cwd: here,
      env: { ...process.env, SUITE_MODE: 'c', CI: 'true' }, // CI: vitest writes no snapshot
      encoding: 'utf8',
      timeout: 600_000,
      maxBuffer: 64 << 20,
    });
    fs.writeFileSync(logF, `# ${t.key}\n# package: ${fs.statSync(path.join(here, 'mikro-orm-plugins.tgz')).mtime.toISOString()}\n${r.stdout}\n${r.stderr}`);
    if (!fs.existsSync(jsonF)) return null;
  }
  const rep = JSON.parse(fs.readFileSync(jsonF, 'utf8'));
  const ar = rep.testResults.flatMap(tr => tr.assertionResults).find(x => [...x.ancestorTitles, x.title].join(' > ') === t.key.slice(t.file.length + 3).replace(/ ⟨\d+⟩$/, ''));
  if (!ar) return null;
  const parsed = parseLog(fs.existsSync(logF) ? fs.readFileSync(logF, 'utf8') : '');
  return { status: ar.status, msg: ansi((ar.failureMessages ?? []).join('\n')), bodies: parsed.tests.get(t.key.replace(/ ⟨\d+⟩$/, '')) ?? [] };
}

/**
 * Reclassifies the unexplained failed tests of `results` by their run alone (in place): "consequential" when
 * it passes, its class when it fails otherwise explained; still unexplained gets the alone-failure added.
 */
export function applyIsolatedRuns(results, cTests, { here, extraLogs, isolate, source }) {
  const isoDir = path.join(extraLogs, 'isolated');
  for (const r of results) {
    if (r.cls !== 'unexplained' || r.status !== 'failed') continue;
    const t = cTests.get(r.key);
    const iso = isolatedRun(t, { here, isoDir, isolate });
    if (!iso) continue;
    const earlier = results.filter(x => x.key.startsWith(t.file + ' > ') && x !== r && x.status === 'failed').map(x => x.key.slice(t.file.length + 3));
    if (iso.status === 'passed') {
      r.cls = 'consequential';
      r.why = `passes when run alone in mode c: fails only after other failures of its file (${earlier.slice(0, 3).join(' | ')}${earlier.length > 3 ? ' …' : ''}) left state behind (e.g. an identity map not cleared)`;
    } else if (iso.status === 'failed') {
      const rs = iso.bodies.length ? iso.bodies.map(b => classifyBody(b, iso.msg, source(t.file))) : [classifyBody(null, iso.msg, source(t.file))];
      const bad = rs.find(x => x.cls === 'unexplained') ?? rs[0];
      if (bad.cls !== 'unexplained') { r.cls = bad.cls; r.why = `run alone: ${bad.why} (in the full run it failed otherwise, after earlier failures of its file)`; }
      else { r.why += `\n  run alone it still fails: ${bad.why.split('\n')[0]}`; r.isolated = true; }
    }
  }
}
