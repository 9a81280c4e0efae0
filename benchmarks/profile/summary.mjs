// Top self-time functions of a V8 .cpuprofile (from node --cpu-prof), grouped by function and file, and the
// share of self time spent in this package's own code (dist/).
//   node benchmarks/profile/summary.mjs FILE.cpuprofile [top=25] [--only=substring]
import { readFileSync } from 'node:fs';

const [file, topArg = '25'] = process.argv.slice(2).filter(a => !a.startsWith('--'));
const only = process.argv.find(a => a.startsWith('--only='))?.slice(7);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const d = dt[i] ?? 0;
  total += d;
  const cf = node.callFrame;
  const where = cf.url ? cf.url.replace(/^file:\/\/.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|benchmarks)\//, '$1/') : '';
  const key = `${cf.functionName || '(anonymous)'}  ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + d);
}
const rows = [...self.entries()].filter(([k]) => !only || k.includes(only)).sort((a, b) => b[1] - a[1]).slice(0, Number(topArg));
const ours = [...self.entries()].filter(([k]) => /  dist\//.test(k)).reduce((a, [, us]) => a + us, 0);
console.log(`total ${(total / 1000).toFixed(0)} ms sampled; self time in this package's dist/: ${(ours / 1000).toFixed(0)} ms (${((ours / total) * 100).toFixed(1)}%)`);
for (const [k, us] of rows) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
