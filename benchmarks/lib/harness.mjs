// The harness of the database benchmarks (every scenario but `dispatch`, which uses mitata).
//
// A case (say "10,000 rows in one flush, SQLite in memory") has variants (a, b, c, d…). Each
// round runs every case, and within a case every variant once, in an order rotated by one each
// round, so a slow moment of the shared machine does not always land on the same variant. Each
// sample is one whole operation (one flush of 10,000 rows, say), timed by the scenario itself so
// that only the part under test is timed (the flushes, not the em.create calls or the reseeding).
// Before every timed operation the harness runs a full GC (--expose-gc), so garbage left by one
// variant is not collected on another's clock, then waits 100 ms: V8 finishes that collection in the
// background, and an operation timed right after it ran up to 2× slower (a cache hit: 33 µs against 19 µs).
//
// A variant's figure is the median of its samples; the spread is min…max over rounds. A ratio
// (c/b, say) is taken within each round, where both were timed a few hundred milliseconds apart,
// and the figure is the median of the per-round ratios.
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export const median = xs => {
  const sorted = xs.filter(x => Number.isFinite(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const round3 = x => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

/** Times `fn` (async) in milliseconds. */
export async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const settle = () => new Promise(resolve => setTimeout(resolve, 100));

/** A full collection, and time for its background work to finish, before the clock starts. */
async function collect() {
  if (!globalThis.gc) return;
  globalThis.gc();
  await settle();
}

/**
 * Runs `cases` for `warmup` untimed then `rounds` timed rounds.
 * case: { id, labels…, variants: { key: { prepare?(), op() → ms, cleanup?() } } }.
 * Returns, per case id, per variant key, the list of samples (ms), plus the load average per round.
 */
export async function runRounds({ cases, rounds, warmup, name }) {
  const samples = new Map(cases.map(c => [c.id, Object.fromEntries(Object.keys(c.variants).map(k => [k, []]))]));
  const load = [];
  const started = performance.now();
  for (let r = 1 - warmup; r <= rounds; r++) {
    const tag = r <= 0 ? `warm-up ${r + warmup}/${warmup}` : `round ${r}/${rounds}`;
    const roundStart = performance.now();
    for (const c of cases) {
      const keys = Object.keys(c.variants);
      const shift = (((r - 1) % keys.length) + keys.length) % keys.length;
      const order = [...keys.slice(shift), ...keys.slice(0, shift)];
      for (const key of order) {
        const v = c.variants[key];
        await v.prepare?.();
        await collect();
        const ms = await v.op();
        await v.cleanup?.();
        if (r > 0) samples.get(c.id)[key].push(ms);
      }
    }
    load.push(Math.round(os.loadavg()[0] * 100) / 100);
    console.log(`  ${name}: ${tag} done in ${((performance.now() - roundStart) / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(2)})`);
  }
  return { samples, load, seconds: Math.round((performance.now() - started) / 100) / 10 };
}

/** Median, min, max and per-round values of one variant's samples; `per` divides each sample (e.g. ms → µs per row). */
export function figure(values, per = 1) {
  const scaled = values.map(v => v / per);
  const m = median(scaled);
  return {
    median: round3(m),
    min: round3(Math.min(...scaled)),
    max: round3(Math.max(...scaled)),
    // (max − min) / median: how far apart the rounds were.
    spread: round3(m ? (Math.max(...scaled) - Math.min(...scaled)) / m : null),
    rounds: scaled.map(round3),
  };
}

/** The per-round ratio num/den (same round), then its median, min and max. */
export function ratio(samples, num, den) {
  const a = samples[num];
  const b = samples[den];
  const per = a.map((x, i) => x / b[i]);
  return { median: round3(median(per)), min: round3(Math.min(...per)), max: round3(Math.max(...per)), rounds: per.map(round3) };
}
