// What the benchmarks/profile scripts share: counting the instructions a Node process executes with valgrind's
// callgrind. Node runs with `--predictable` (no background compiler or GC threads), so the same process counts the
// same instructions on every run, whatever else the machine does.
import { execFile, execFileSync } from 'node:child_process';

/** Stops the script with a message when valgrind is missing. */
export function requireValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    console.error('valgrind is not installed: this measurement needs `valgrind --tool=callgrind`.');
    process.exit(1);
  }
}

/** valgrind's version, for the results' list of packages. */
export const valgrindVersion = () => execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();

/**
 * The instructions of `node --predictable …nodeArgs` under callgrind. `label` names the run in an error;
 * `options` go to execFile (cwd, env).
 */
export function countInstructions(nodeArgs, label, options = {}) {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--predictable', ...nodeArgs];
  return new Promise((resolve, reject) =>
    execFile('valgrind', args, { maxBuffer: 64 * 1024 * 1024, ...options }, (error, _stdout, stderr) => {
      const match = /Collected : (\d+)/.exec(stderr);
      if (error || !match) reject(new Error(`${label} failed:\n${stderr.slice(-2000)}`));
      else resolve(Number(match[1]));
    }),
  );
}
