// FC_SEED=<integer> gives every fast-check property and fuzz test that seed (CI sets one, so a run never
// depends on luck); without it each run draws new cases, and a failure prints the seed to replay.
import fc from 'fast-check';

const given = process.env.FC_SEED;
if (given !== undefined && given !== '') {
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED: expected an integer, got '${given}'`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
