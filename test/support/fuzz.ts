// Shared by the API fuzz suites: what counts as a typed rejection, the values thrown at entry points,
// and a runner that records every untyped error instead of stopping at the first.
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { errorCodeInfo, PluginError } from '../../src/index.js';

/** How long one call may take before it counts as hung. */
const HANG_MS = 5_000;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `fn`, awaiting what it returns when that is a promise; never throws. */
export async function attempt(fn: () => unknown): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = fn();
    if (!isThenable(result)) return { ok: true, value: result };
    const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hung for ${HANG_MS} ms`)), HANG_MS)));
    return { ok: true, value: await Promise.race([result, hung]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A `PluginError` whose code the package declares (and docs/error-codes.md lists: test/error-codes.test.ts). */
export function isTypedRejection(error: unknown): boolean {
  return error instanceof PluginError && errorCodeInfo(error.code) !== undefined;
}

/** Short text of an untyped error, for the failure message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}\n${(error.stack ?? '').split('\n').slice(1, 4).join('\n')}`;
  try {
    return `non-Error thrown: ${String(error)}`;
  } catch {
    return 'non-Error thrown';
  }
}

/** Every kind of JavaScript value, the nasty ones included (null prototypes, boxed values, sparse arrays…). */
export const anything = fc.anything({
  maxDepth: 2,
  maxKeys: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/** Values plain JavaScript passes by mistake: wrong types, empty, huge, NaN, functions, classes, symbols. */
export const oddValue = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  ' ',
  'x',
  '__proto__',
  'constructor',
  'toString',
  [],
  [[]],
  [null],
  [42],
  [''],
  {},
  { __proto__: null },
  Object.create(null),
  () => undefined,
  async () => undefined,
  class Anonymous {},
  Symbol('odd'),
  10n,
  new Date(Number.NaN),
  new Date(0),
  /re/,
  new Map(),
  new Set(),
  Promise.resolve(1),
  new Error('plain'),
  { then: 42 },
  { toString: 42 },
  Object.freeze({ name: 42 }),
);

/** A value for an argument: mostly the near-valid ones given, else odd or arbitrary. */
export function argument(...near: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> {
  const weighted = near.map(arbitrary => ({ arbitrary, weight: 3 }));
  return fc.oneof({ arbitrary: oddValue, weight: 2 }, { arbitrary: anything, weight: 2 }, ...weighted);
}

/** Arguments for a call: up to `max` of them, each from `value`. */
export function argumentList(value: fc.Arbitrary<unknown>, max = 3): fc.Arbitrary<unknown[]> {
  return fc.array(value, { maxLength: max });
}

export interface EntryPoint {
  /** `module:export` (or a method), as the failure message names it. */
  readonly name: string;
  readonly args: fc.Arbitrary<unknown[]>;
  /** Calls the entry point; a decorator factory also applies what it returned. */
  readonly call: (args: unknown[]) => unknown;
  /** Other errors the entry point is documented to throw (expectChain's AssertionError). */
  readonly allowed?: (error: unknown) => boolean;
}

export interface FuzzTally {
  cases: number;
  /** Entry point → the first untyped error seen, with its arguments. */
  readonly untyped: Map<string, string>;
}

export function newTally(): FuzzTally {
  return { cases: 0, untyped: new Map() };
}

// FUZZ_SCALE=<n> multiplies every entry's cases, for deep local runs (`FUZZ_SCALE=20 npx vitest run test/api.fuzz.test.ts`).
const scale = Number(process.env.FUZZ_SCALE ?? 1);
if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`FUZZ_SCALE: expected an integer of at least 1, got '${process.env.FUZZ_SCALE}'`);

/** Runs `numRuns` cases (times FUZZ_SCALE) of one entry point (fails with the seed and shrunk arguments on an untyped error); `check` runs after each call. */
export async function fuzzEntry(entry: EntryPoint, baseRuns: number, tally: FuzzTally, check?: (outcome: Outcome) => Promise<void> | void, seed?: number): Promise<void> {
  const numRuns = baseRuns * scale;
  await fc.assert(
    fc.asyncProperty(entry.args, async args => {
      tally.cases++;
      const outcome = await attempt(() => entry.call(args));
      if (!outcome.ok && !isTypedRejection(outcome.error) && !entry.allowed?.(outcome.error)) {
        const text = `${describeError(outcome.error)}\n  args: ${show(args)}`;
        if (!tally.untyped.has(entry.name)) tally.untyped.set(entry.name, text);
        // Failing the property makes fast-check shrink the arguments and print the seed to replay.
        throw new Error(`${entry.name}: untyped error\n${text}`);
      }
      await check?.(outcome);
    }),
    seed === undefined ? { numRuns } : { numRuns, seed },
  );
}

function show(args: unknown[]): string {
  try {
    return fc.stringify(args).slice(0, 300);
  } catch {
    return '(unprintable)';
  }
}

/** With FUZZ_REPORT=path, every untyped error found goes to that file too (for fixing them in one pass). */
export function reportTally(suite: string, tally: FuzzTally): void {
  console.log(`${suite}: ${tally.cases} cases, ${tally.untyped.size} entry points with an untyped error`);
  const path = process.env.FUZZ_REPORT;
  if (path) appendFileSync(path, [...tally.untyped].map(([name, text]) => `## ${suite} ${name}\n${text}\n`).join('\n'));
}
