// Flags and environment shared by every benchmark script. Flags win over environment variables.
//
//   --quick            one timed round (default rounds differ per scenario), one warm-up
//   --smoke            tiny sizes, one round, no warm-up: checks that a script works, measures nothing
//   --rounds=N         timed rounds (BENCH_ROUNDS)
//   --warmup=N         untimed warm-up rounds (BENCH_WARMUP)
//   --rows=N           rows per operation (BENCH_ROWS; default 10000)
//   --batch=N          rows per flush in the batched mode (BENCH_BATCH; default 100)
//   --db=a,b           databases: sqlite-memory, sqlite-file, postgresql (BENCH_DBS; default all three)
//   --out=DIR          where results go (BENCH_OUT; default benchmarks/results)
//   --pg-db=NAME       PostgreSQL database (BENCH_PG_DB; default mop_bench2)
const argv = process.argv.slice(2);

function flag(name) {
  const prefix = `--${name}=`;
  const hit = argv.find(a => a.startsWith(prefix));
  return hit === undefined ? undefined : hit.slice(prefix.length);
}

function int(name, env, fallback) {
  const raw = flag(name) ?? process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} / ${env}: expected a non-negative integer, got '${raw}'`);
  return value;
}

export const smoke = argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
export const quick = argv.includes('--quick');

/** Settings for one scenario; `defaults` are the full-run values, overridden by --quick, --smoke, flags and env. */
export function settings(defaults) {
  const base = { rows: 10_000, batch: 100, rounds: 5, warmup: 1, ...defaults };
  if (quick) Object.assign(base, { rounds: 1, warmup: Math.min(base.warmup, 1) });
  if (smoke) Object.assign(base, { rounds: 1, warmup: 0, ...(defaults.smoke ?? { rows: 40, batch: 10 }) });
  delete base.smoke;
  return {
    ...base,
    rows: int('rows', 'BENCH_ROWS', base.rows),
    batch: int('batch', 'BENCH_BATCH', base.batch),
    rounds: Math.max(1, int('rounds', 'BENCH_ROUNDS', base.rounds)),
    warmup: int('warmup', 'BENCH_WARMUP', base.warmup),
  };
}

export const ALL_DATABASES = ['sqlite-memory', 'sqlite-file', 'postgresql'];

/** The databases asked for (all three by default). */
export function databases(allowed = ALL_DATABASES) {
  const raw = flag('db') ?? process.env.BENCH_DBS;
  const asked = raw ? raw.split(',').map(s => s.trim()).filter(Boolean) : allowed;
  const unknown = asked.filter(d => !ALL_DATABASES.includes(d));
  if (unknown.length > 0) throw new Error(`Unknown database(s) ${unknown.join(', ')}; known: ${ALL_DATABASES.join(', ')}`);
  return asked.filter(d => allowed.includes(d));
}

export const outDir = flag('out') ?? process.env.BENCH_OUT ?? null;
export const pgDatabase = flag('pg-db') ?? process.env.BENCH_PG_DB ?? 'mop_bench2';
