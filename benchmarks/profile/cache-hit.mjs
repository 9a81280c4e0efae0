// The memory-store cache hit in instructions: valgrind's callgrind counts a Node process (`--predictable`) that
// runs N lookups and one that runs none; the difference ÷ N is one lookup. Three steps, each in a fresh fork as
// benchmarks/cache.bench.mjs times them: `fork` (MikroORM's em.fork() alone), `floor` (a fork and MikroORM's entity
// factory merging the row: what any cache hit must do), `hit` (em.fork().findOne(Entity, pk) answered by the cache).
// hit − floor is what the cache plugin itself costs. `em-floor` and `em-hit` are the last two without the fork's
// price (one fork per pass over the rows): a hit as issue #14 counts it, the cache's work into a caller's em.
//   node benchmarks/profile/cache-hit.mjs [--lookups=2000] [--variants=fork,floor,hit,em-floor,em-hit]     (needs valgrind and dist/: npm run build)
import { countInstructions, requireValgrind, valgrindVersion } from '../lib/callgrind.mjs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gitCommit, machine, version, writeResults } from '../lib/results.mjs';

const lookups = Number(process.argv.find(a => a.startsWith('--lookups='))?.split('=')[1] ?? '2000');
const worker = fileURLToPath(new URL('./cache-hit-worker.mjs', import.meta.url));
const ALL = {
  fork: 'em.fork() alone',
  floor: "fork + MikroORM's entity factory merge of the row",
  hit: 'fork + findOne, a memory-store hit',
  'em-floor': "MikroORM's entity factory merge of the row into an em (one fork per 200 lookups)",
  'em-hit': 'findOne, a memory-store hit into an em (one fork per 200 lookups)',
};
const chosen = (process.argv.find(a => a.startsWith('--variants='))?.split('=')[1] ?? Object.keys(ALL).join(',')).split(',');
const VARIANTS = Object.fromEntries(Object.entries(ALL).filter(([k]) => chosen.includes(k)));

requireValgrind();

function instructions(variant, n) {
  return countInstructions([worker, variant, String(n)], `${variant} ${n}`);
}

const loadBefore = os.loadavg();
const started = Date.now();
const perLookup = {};
for (const variant of Object.keys(VARIANTS)) {
  const [without, withLookups] = await Promise.all([instructions(variant, 0), instructions(variant, lookups)]);
  perLookup[variant] = Math.round((withLookups - without) / lookups);
  console.log(`${variant}: ${perLookup[variant].toLocaleString('en')} instructions per lookup`);
}
const ours = perLookup.hit !== undefined && perLookup.floor !== undefined ? perLookup.hit - perLookup.floor : undefined;
const oursEm = perLookup['em-hit'] !== undefined && perLookup['em-floor'] !== undefined ? perLookup['em-hit'] - perLookup['em-floor'] : undefined;
const md = [
  '| step | instructions per lookup |',
  '|---|---|',
  ...Object.entries(VARIANTS).map(([k, label]) => `| ${k}: ${label} | ${perLookup[k].toLocaleString('en')} |`),
  ...(ours === undefined ? [] : [`| hit − floor: the cache plugin's own part | ${ours.toLocaleString('en')} |`]),
  ...(oursEm === undefined ? [] : [`| em-hit − em-floor: the cache plugin's own part, no fork | ${oursEm.toLocaleString('en')} |`]),
  '',
  `callgrind, node --predictable, SQLite in memory, ${lookups.toLocaleString('en')} lookups over 200 cached rows after 3,000 warm-up lookups; one run each (deterministic).`,
].join('\n');
console.log(`\n${md}`);
writeResults(
  'cache-hit-instructions',
  {
    benchmark: 'cache-hit-instructions',
    title: 'Cache hit (memory store) in instructions (valgrind callgrind), SQLite in memory',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, os.loadavg()),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), valgrind: valgrindVersion() },
    settings: { lookups, variants: Object.keys(VARIANTS), rounds: 1 },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    instructionsPerLookup: { ...perLookup, ours, oursEm },
  },
  md,
);
