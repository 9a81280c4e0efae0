// Hook dispatch overhead: our dispatcher vs a plain loop vs MikroORM 7's EventManager.
//
// Run through `npm run bench -- dispatch` (builds dist/ first). Needs Node 22 and --expose-gc,
// which the runner passes. This is a benchmark, never a test: nothing here asserts on time.
//
// Chains are real: plugin classes registered in a PluginRegistry, attached to EntitySchema
// entities through `pluginSystem({ entities })`, compiled by the real runtime (buildEntityChains)
// during MikroORM.init on an in-memory SQLite database. Every handler is a distinct function
// (distinct source text), so the dispatch call sites are megamorphic, as with real plugins.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { EntitySchema, EventManager, MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { bench, do_not_optimize, group, run } from 'mitata';
// dispatch() and DispatchContext are internal, so not exports of the bundled dist/: this scenario imports the
// modules tsc compiled on the way (`npm run build` stages them in .tmp/build/modules), the same code, and all
// of it from there, so the chains and the dispatcher come from one copy.
import { DispatchContext } from '../.tmp/build/modules/chain/chain.js';
import { dispatch } from '../.tmp/build/modules/chain/dispatch.js';
import { PLUGIN_SUBSCRIBER } from '../.tmp/build/modules/bridge/plugin-subscriber.js';
import { PluginRegistry, pluginSystem, runtimeOf } from '../.tmp/build/modules/index.js';
import { smoke } from './lib/cli.mjs';
import { dispatchMarkdown, median, round } from './lib/dispatch-report.mjs';
import { gitCommit as readGitCommit, version, writeResults } from './lib/results.mjs';

const SYNC_NS = [0, 1, 5, 20];
const ASYNC_NS = [1, 5];
const MAX_SYNC = Math.max(...SYNC_NS);
const MAX_ASYNC = Math.max(...ASYNC_NS);
// Every scenario is timed ROUNDS times, interleaved, and each figure is the median over rounds:
// the machine is shared, and one round's figure can be off by a third. `--quick`: one round.
// `--smoke`: one round, and each variant run 1,000 times by a plain timing loop instead of mitata (seconds, not
// a minute): it checks that the script works; its figures measure nothing.
const ROUNDS = process.argv.includes('--quick') || smoke ? 1 : 3;
const SYNC_TARGET_RATIO = 1.5;
const NO_HOOKS_TARGET_NS = 5;

// ------------------------------------------------------------------------------------ handlers
// Each handler folds its own constant into an order-sensitive hash, so one check proves that
// exactly the expected handlers ran, each once, in order.
const step = (n, k) => (Math.imul(n, 31) + k) | 0;
const expectedHash = (start, n) => {
  let h = start;
  for (let k = 1; k <= n; k++) h = step(h, k);
  return h;
};
const body = k => `e.n = (Math.imul(e.n, 31) + ${k}) | 0;`;

/** Plugin class number i: one `beforeCreate` hook (the convention: a method named after the event). */
const pluginClass = (kind, i) =>
  new Function(`return class ${kind}Plugin${i} { ${kind === 'async' ? 'async ' : ''}beforeCreate(e, ctx) { ${body(i + 1)} } };`)();
/** EventManager subscriber number i: a distinct class with a `beforeCreate(args)` method. */
const subscriber = (kind, i) =>
  new (new Function(
    `return class ${kind}Subscriber${i} { ${kind === 'async' ? 'async ' : ''}beforeCreate(args) { const e = args.entity; ${body(i + 1)} } };`,
  )())();

const syncClasses = Array.from({ length: MAX_SYNC }, (_, i) => pluginClass('sync', i));
const asyncClasses = Array.from({ length: MAX_ASYNC }, (_, i) => pluginClass('async', i));
// A plugin with a hook on another event only: its entity has plugins but a `null` beforeCreate chain.
const LoadOnly = class LoadOnlyPlugin {
  afterLoad(e) {
    e.loaded = true;
  }
};

// ------------------------------------------------------------------------------------ dispatchers
function plainLoop(fns, subject, ctx) {
  for (let i = 0; i < fns.length; i++) fns[i](subject, ctx);
}

/** Diagnostic: a shared loop over the chain's own `links` array, as the generic (uncompiled) path reads it. */
function linksLoop(links, subject, ctx) {
  for (let i = 0; i < links.length; i++) links[i].fn.call(links[i].instance, subject, ctx, ctx);
}

async function plainAwaitLoop(fns, subject, ctx) {
  for (let i = 0; i < fns.length; i++) await fns[i](subject, ctx);
}

// ------------------------------------------------------------------------------------ the ORM
const registry = new PluginRegistry();
const syncName = i => `sync${i}`;
const asyncName = i => `async${i}`;
syncClasses.forEach((cls, i) => registry.register(syncName(i), cls));
asyncClasses.forEach((cls, i) => registry.register(asyncName(i), cls));
registry.register('loadOnly', LoadOnly);

const entity = name => new EntitySchema({ name, properties: { id: { type: 'integer', primary: true } } });
const entityPlugins = { NoHooks: ['loadOnly'] };
for (const n of SYNC_NS) if (n > 0) entityPlugins[`Sync${n}`] = Array.from({ length: n }, (_, i) => syncName(i));
for (const n of ASYNC_NS) entityPlugins[`Async${n}`] = Array.from({ length: n }, (_, i) => asyncName(i));

const orm = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  entities: [...Object.keys(entityPlugins), 'Bare'].map(entity),
  extensions: [pluginSystem({ registry, entities: entityPlugins })],
  allowGlobalContext: true,
});
const em = orm.em;
const runtime = runtimeOf(orm);
const ourSubscriber = [...em.getEventManager().getSubscribers()].find(s => PLUGIN_SUBSCRIBER in s);
if (!ourSubscriber) throw new Error('PluginSubscriber is not registered on the ORM');

// ------------------------------------------------------------------------------------ fixtures
function fixture(kind, n) {
  const entityName = n === 0 ? 'NoHooks' : `${kind === 'async' ? 'Async' : 'Sync'}${n}`;
  const meta = orm.getMetadata().getByClassName(entityName);
  const chain = runtime.chainsOf(meta)?.beforeCreate ?? null;
  if (n === 0 && chain !== null) throw new Error(`${entityName}: expected no beforeCreate chain`);
  if (n > 0 && chain?.links.length !== n) throw new Error(`${entityName}: expected a chain of ${n} links, got ${chain?.links.length}`);
  const classes = (kind === 'async' ? asyncClasses : syncClasses).slice(0, n);
  const subject = { n: 0 };
  const ctx = new DispatchContext('beforeCreate', em, meta, undefined, undefined);
  return {
    meta,
    chain,
    subject,
    ctx,
    args: { entity: subject, em, meta },
    // The plain loop calls the very methods the chain links hold.
    fns: classes.map(cls => cls.prototype.beforeCreate),
    eventManager: new EventManager(Array.from({ length: n }, (_, i) => subscriber(kind, i))),
  };
}

const scenarios = []; // { scenario, n, variants: { key: { label, fn } } }
for (const n of SYNC_NS) {
  const f = fixture('sync', n);
  // Ours right after the plain loop, so the two compared figures are timed close together.
  const variants = { plain: { label: 'plain for-loop', fn: () => plainLoop(f.fns, f.subject, f.ctx) } };
  if (n > 0) {
    variants.dispatch = { label: 'ours: dispatch()', fn: () => dispatch(f.chain, f.ctx, f.subject) };
    variants.dispatchNewCtx = {
      label: 'ours: dispatch() + new DispatchContext',
      fn: () => dispatch(f.chain, new DispatchContext('beforeCreate', em, f.meta, undefined, undefined), f.subject),
    };
  }
  variants.subscriber = { label: 'ours: PluginSubscriber.beforeCreate', fn: () => ourSubscriber.beforeCreate(f.args) };
  if (n > 0) {
    // Diagnostic: the plain loop over the links' hook functions (in a plain array).
    const bound = f.chain.links.map(l => l.fn);
    variants.plainBound = { label: 'plain for-loop over link.fn', fn: () => plainLoop(bound, f.subject, f.ctx) };
    // Diagnostic: a shared loop over the chain's links, calling each with its instance (the uncompiled path).
    variants.linksLoop = { label: 'plain for-loop over chain.links', fn: () => linksLoop(f.chain.links, f.subject, f.ctx) };
  }
  variants.eventManager = { label: 'MikroORM EventManager.dispatchEvent', fn: () => f.eventManager.dispatchEvent('beforeCreate', f.args, f.meta) };
  scenarios.push({ scenario: n === 0 ? 'no hooks' : 'sync', kind: 'sync', n, fixture: f, variants });
}
for (const n of ASYNC_NS) {
  const f = fixture('async', n);
  scenarios.push({
    scenario: 'async',
    kind: 'async',
    n,
    fixture: f,
    variants: {
      plain: { label: 'plain for…await loop', fn: () => plainAwaitLoop(f.fns, f.subject, f.ctx) },
      dispatch: { label: 'ours: dispatch()', fn: () => dispatch(f.chain, f.ctx, f.subject) },
      subscriber: { label: 'ours: PluginSubscriber.beforeCreate', fn: () => ourSubscriber.beforeCreate(f.args) },
      eventManager: { label: 'MikroORM EventManager.dispatchEvent', fn: () => f.eventManager.dispatchEvent('beforeCreate', f.args, f.meta) },
    },
  });
}

// ------------------------------------------------------------------------------------ sanity checks
// Before anything is timed: each variant runs exactly N handlers, in order; ours stays sync
// (returns undefined, no promise) for sync chains and returns a promise for async ones.
const isThenable = v => v !== null && typeof v === 'object' && typeof v.then === 'function';
for (const { scenario, kind, n, fixture: f, variants } of scenarios) {
  for (const [key, { label, fn }] of Object.entries(variants)) {
    const before = f.subject.n;
    const result = fn();
    const ours = key === 'dispatch' || key === 'dispatchNewCtx' || key === 'subscriber';
    if (ours && kind === 'sync' && result !== undefined) throw new Error(`${label} (${scenario}, N=${n}) returned ${result}, not undefined`);
    if (ours && kind === 'async' && !isThenable(result)) throw new Error(`${label} (${scenario}, N=${n}) did not return a promise`);
    if (isThenable(result)) await result;
    if (f.subject.n !== expectedHash(before, n)) throw new Error(`${label} (${scenario}, N=${n}) did not run exactly its ${n} handlers in order`);
  }
}
console.log(`sanity: ${scenarios.reduce((s, x) => s + Object.keys(x.variants).length, 0)} variants each ran exactly N handlers, in order\n`);

// ------------------------------------------------------------------------------------ timing
const loadBefore = os.loadavg();
const benchName = (s, key, r) => `${s.scenario} N=${s.n} | ${s.variants[key].label} [round ${r}]`;

// Floor: the same 20-element loop over link-shaped objects held in a plain and in a frozen array
// (build-chains freezes `chain.links`). Each loop is its own function, so neither shares feedback.
const floorLinks = () => Array.from({ length: 20 }, (_, i) => ({ plugin: `p${i}`, options: undefined, fn: null, v: i }));
const floorLoop = tag => new Function('links', `/* ${tag} */ let s = 0; for (let i = 0; i < links.length; i++) s = (s + links[i].v) | 0; return s;`);
const floor = {
  plainArray: { label: 'loop over 20 links in a plain array', links: floorLinks(), loop: floorLoop('plain') },
  frozenArray: { label: 'loop over 20 links in a frozen array', links: Object.freeze(floorLinks()), loop: floorLoop('frozen') },
};
const floorName = (key, r) => `floor | ${floor[key].label} [round ${r}]`;
const registered = []; // every bench, for --smoke's plain loop

for (let r = 1; r <= ROUNDS; r++) {
  for (const s of scenarios) {
    group(`round ${r}/${ROUNDS} · ${s.scenario}: ${s.n} ${s.kind === 'async' ? 'async' : 'sync'} hook${s.n === 1 ? '' : 's'}`, () => {
      for (const key of Object.keys(s.variants)) {
        registered.push({ name: benchName(s, key, r), fn: s.variants[key].fn });
        bench(benchName(s, key, r), s.variants[key].fn);
      }
    });
  }
  group(`round ${r}/${ROUNDS} · floor`, () => {
    for (const [key, { links, loop }] of Object.entries(floor)) {
      const fn = () => do_not_optimize(loop(links));
      registered.push({ name: floorName(key, r), fn });
      bench(floorName(key, r), fn);
    }
  });
}

const result = smoke ? await smokeRun() : await run({ colors: false, throw: true });

/** The shape of mitata's result, from a plain loop of 1,000 calls per variant (--smoke only). */
async function smokeRun() {
  const runs = [];
  for (const { name, fn } of registered) {
    const start = performance.now();
    for (let i = 0; i < 1000; i++) {
      const r = fn();
      if (r && typeof r.then === 'function') await r;
    }
    const ns = ((performance.now() - start) * 1e6) / 1000;
    runs.push({ name, stats: { p50: ns, avg: ns, min: ns, heap: undefined } });
  }
  return { context: { cpu: { name: os.cpus()[0]?.model ?? 'unknown', freq: 0 } }, benchmarks: [{ runs }] };
}
const loadAfter = os.loadavg();
await orm.close(true);

// ------------------------------------------------------------------------------------ results
const stats = new Map();
for (const b of result.benchmarks) for (const r of b.runs) if (r.stats) stats.set(r.name, r.stats);

/** One variant over all rounds: the median of its per-round medians and means. */
const figure = names => {
  const runs = names.map(name => stats.get(name));
  return {
    medianNs: round(median(runs.map(st => st.p50))),
    avgNs: round(median(runs.map(st => st.avg))),
    minNs: round(Math.min(...runs.map(st => st.min))),
    heapBytesPerCall: round(median(runs.map(st => st.heap?.avg))),
    rounds: runs.map(st => ({ medianNs: round(st.p50), avgNs: round(st.avg) })),
  };
};
const rounds = Array.from({ length: ROUNDS }, (_, i) => i + 1);

const gitCommit = readGitCommit();

const rows = scenarios.map(s => {
  const figures = {};
  for (const key of Object.keys(s.variants)) figures[key] = { label: s.variants[key].label, ...figure(rounds.map(r => benchName(s, key, r))) };
  const plain = figures.plain;
  const ours = s.n === 0 ? figures.subscriber : figures.dispatch;
  const ratios = {};
  for (const key of Object.keys(figures)) {
    if (key === 'plain') continue;
    // Per round (ours and the plain loop timed back to back), then the median over rounds.
    const perRound = figures[key].rounds.map((x, i) => ({ median: x.medianNs / plain.rounds[i].medianNs, avg: x.avgNs / plain.rounds[i].avgNs }));
    ratios[key] = { median: round(median(perRound.map(x => x.median))), avg: round(median(perRound.map(x => x.avg))) };
  }
  let target = null;
  let met = null;
  if (s.scenario === 'no hooks') {
    target = `ours ≤ ${NO_HOOKS_TARGET_NS} ns`;
    met = ours.medianNs <= NO_HOOKS_TARGET_NS;
  } else if (s.scenario === 'sync') {
    target = `ours/plain ≤ ${SYNC_TARGET_RATIO}`;
    met = ratios.dispatch.median <= SYNC_TARGET_RATIO;
  }
  return { scenario: s.scenario, n: s.n, figures, ratiosVsPlain: ratios, target, met };
});
const floorFigures = Object.fromEntries(
  Object.entries(floor).map(([key, { label }]) => [key, { label, ...figure(rounds.map(r => floorName(key, r))) }]),
);

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  mitataCpu: result.context.cpu.name,
  clockGHz: Math.round(result.context.cpu.freq * 100) / 100,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  // Other processes compete for the CPU on a shared machine: the 1-minute load average before and after timing.
  loadAverage1m: { before: Math.round(loadBefore[0] * 100) / 100, after: Math.round(loadAfter[0] * 100) / 100 },
};
const json = {
  benchmark: 'dispatch',
  date: new Date().toISOString(),
  commit: gitCommit,
  machine,
  node: process.version,
  packages: { '@mikro-orm/core': version('@mikro-orm/core'), mitata: version('mitata') },
  method:
    `mitata, one process, --expose-gc, ${ROUNDS} interleaved round(s). Every figure is ns per dispatch: the median over rounds ` +
    'of the median (medianNs) and mean (avgNs) of mitata\'s batch samples; minNs is the fastest batch of any round. ' +
    'Ratios vs the plain loop of the same scenario and N are taken per round (timed back to back), then the median over rounds. ' +
    '"ours" is dispatch() on a chain compiled by the real runtime (context reused); "no hooks" is PluginSubscriber.beforeCreate ' +
    'on an entity whose beforeCreate chain is null.',
  rounds: ROUNDS,
  smoke,
  targets: { syncRatio: SYNC_TARGET_RATIO, noHooksNs: NO_HOOKS_TARGET_NS },
  results: rows,
  floor: floorFigures,
};

const md = dispatchMarkdown(json);
if (smoke) md.splice(2, 0, '**Smoke run: 1,000 calls per variant, no mitata. These figures measure nothing.**', '');
writeResults('dispatch', json, md.join('\n'));
console.log(`\n${md.join('\n')}`);
