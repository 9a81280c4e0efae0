// A Redis-store cache hit in instructions, in the client process: valgrind's callgrind counts a Node process
// (`--predictable`) that runs N lookups of a step and one that runs none; the difference ÷ N is one lookup.
// Steps: `get` (one ioredis GET + v8.deserialize: the baseline of issue #14's Redis target), `mget` (the MGET of
// both stamps and the entry a hit sends, deserialised), `read` (the store's read alone) and `em-hit` (findOne
// answered by the cache into an em that does not hold the row). The server's side and the wait for it are not
// counted: the timed cache benchmark has them.
//   node benchmarks/profile/redis-hit.mjs [--lookups=2000] [--variants=get,mget,read,em-hit]   (needs valgrind, Redis on 127.0.0.1:6379 and dist/)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { countInstructions, requireValgrind, valgrindVersion } from '../lib/callgrind.mjs';
import { gitCommit, machine, version, writeResults } from '../lib/results.mjs';

const lookups = Number(process.argv.find(a => a.startsWith('--lookups='))?.split('=')[1] ?? '2000');
const worker = fileURLToPath(new URL('./redis-hit-worker.mjs', import.meta.url));
const ALL = {
  get: 'one ioredis GET of the row + v8.deserialize',
  mget: 'one ioredis MGET of both stamps and the entry + v8.deserialize',
  read: "the Redis store's read() alone",
  'em-hit': 'findOne, a Redis-store hit into an em (one fork per 200 lookups)',
};
const chosen = (process.argv.find(a => a.startsWith('--variants='))?.split('=')[1] ?? Object.keys(ALL).join(',')).split(',');
const STEPS = Object.fromEntries(Object.entries(ALL).filter(([k]) => chosen.includes(k)));

requireValgrind();
const loadBefore = os.loadavg();
const started = Date.now();
const perLookup = {};
for (const step of Object.keys(STEPS)) {
  const [without, withLookups] = await Promise.all([0, lookups].map(n => countInstructions([worker, step, String(n)], `${step} ${n}`)));
  perLookup[step] = Math.round((withLookups - without) / lookups);
  console.log(`${step}: ${perLookup[step].toLocaleString('en')} instructions per lookup`);
}
const ratio = (x, y) => (perLookup[x] && perLookup[y] ? Math.round((perLookup[x] / perLookup[y]) * 1000) / 1000 : undefined);
const ratios = { 'read/get': ratio('read', 'get'), 'read/mget': ratio('read', 'mget'), 'em-hit/get': ratio('em-hit', 'get') };
const md = [
  '| step | instructions per lookup | ÷ get |',
  '|---|---|---|',
  ...Object.entries(STEPS).map(([k, label]) => `| ${k}: ${label} | ${perLookup[k].toLocaleString('en')} | ${ratio(k, 'get') ?? '—'}× |`),
  '',
  `callgrind, node --predictable, the client process only (Redis's work and the wait for it are not counted), ${lookups.toLocaleString('en')} lookups over 200 cached rows after 3,000 warm-up lookups; one run each (deterministic).`,
].join('\n');
console.log(`\n${md}`);
writeResults(
  'redis-hit-instructions',
  {
    benchmark: 'redis-hit-instructions',
    title: 'Cache hit (Redis store) in instructions (valgrind callgrind), client process',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(loadBefore, os.loadavg()),
    node: process.version,
    packages: { '@mikro-orm/core': version('@mikro-orm/core'), ioredis: version('ioredis'), valgrind: valgrindVersion() },
    settings: { lookups, variants: Object.keys(STEPS), rounds: 1 },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    instructionsPerLookup: perLookup,
    ratios,
  },
  md,
);
