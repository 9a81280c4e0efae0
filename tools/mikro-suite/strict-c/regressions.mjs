// The tests that pass in mode a and not in mode c, each classified by its failure in the full run.
import { classifyBody } from './classify.mjs';
import { setShowing } from './compare-sides.mjs';

/**
 * [{ key, status, cls, why, body }] in the order of the mode-a report. `log` / `extra` are parsed logs (the
 * run's, then the single-file reruns'), `show` the --show substring (or null), `source` a test-file reader.
 */
export function collectRegressions({ a, c, log, extra, show, source }) {
  const results = [];
  for (const [key, t] of a.tests) {
    if (t.status !== 'passed') continue;
    const o = c.tests.get(key);
    if (o?.status === 'passed') continue;
    const bodies = log.tests.get(key.replace(/ ⟨\d+⟩$/, '')) ?? extra.tests.get(key.replace(/ ⟨\d+⟩$/, ''));
    let res;
    const showing = show !== null && key.includes(show);
    setShowing(showing);
    if (showing) console.log(`##### ${key}`);
    if (!o) res = { cls: 'unexplained', why: 'missing in c (file did not run?)' };
    else if (o.status !== 'failed') {
      // skipped after a failing hook: the file-level error decides
      const fe = c.fileErrors.get(t.file);
      // a suite-level hook: " FAIL  file [ file ]", or " FAIL  file > describe" for a describe's beforeAll
      const suite = [...log.tests.keys(), ...extra.tests.keys()].filter(k => key.startsWith(k + ' > ')).sort((x, y) => y.length - x.length)[0];
      const fb = log.files.get(t.file) ?? extra.files.get(t.file) ?? (suite ? log.tests.get(suite) ?? extra.tests.get(suite) : undefined);
      const body = fb?.find(b => !/Obsolete snapshots/.test(b) && !/reading 'close'/.test(b)) ?? null;
      if (!fe && !body) res = { cls: 'unexplained', why: `status ${o.status} without a file error` };
      else {
        const r = classifyBody(body, fe, source(t.file));
        res = { cls: r.cls, why: `[${o.status}: beforeAll/beforeEach failed] ${r.why}`, hookBody: body ?? fe };
      }
    } else if (bodies?.length) {
      // several errors for one test (e.g. the test and an afterEach): every one must be explained
      const rs = bodies.map(b => classifyBody(b, o.msg, source(t.file)));
      const bad = rs.find(r => r.cls === 'unexplained') ?? rs.find(r => r.cls !== 'expected') ?? rs[0];
      res = bad;
    } else res = classifyBody(null, o.msg, source(t.file));
    const { hookBody, ...rest } = res;
    results.push({ key, status: o?.status ?? 'missing', ...rest, body: (bodies?.[0] ?? (o?.msg || hookBody) ?? '').split('\n') });
  }
  return results;
}
