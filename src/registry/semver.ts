import { createRequire } from 'node:module';

// semver's functions, each loaded on first use: importing them would load about twenty CommonJS modules at every
// application's start (benchmarks/import-cost.bench.mjs), where most apps never declare a range.
const require = createRequire(import.meta.url);
type Valid = (version: string) => string | null;
type Satisfies = (version: string, range: string, options: { includePrerelease: boolean }) => boolean;
let semverValid: Valid | undefined;
let semverValidRange: Valid | undefined;
let semverSatisfies: Satisfies | undefined;

// A plain release version, what nearly every plugin declares: valid to semver too (each part well below
// Number.MAX_SAFE_INTEGER, as semver requires), so semver need not load to say so. Anything else is semver's call.
const PLAIN_VERSION = /^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;

export function isValidVersion(version: string): boolean {
  if (PLAIN_VERSION.test(version)) return true;
  semverValid ??= require('semver/functions/valid.js') as Valid;
  return semverValid(version) !== null;
}

export function isValidRange(range: string): boolean {
  semverValidRange ??= require('semver/ranges/valid.js') as Valid;
  return semverValidRange(range) !== null;
}

export function satisfies(version: string, range: string, options: { includePrerelease: boolean }): boolean {
  semverSatisfies ??= require('semver/functions/satisfies.js') as Satisfies;
  return semverSatisfies(version, range, options);
}
