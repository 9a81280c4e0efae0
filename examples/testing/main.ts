// Runs post.test.ts (compiled next to this file) with vitest, as a project of your own would run it.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';

const here = dirname(fileURLToPath(import.meta.url));
// No config file: this folder is the whole project, and its one test file is what runs.
const vitest = await startVitest('test', [], { root: here, config: false, include: ['*.test.js'], run: true, watch: false });
await vitest.close();
// vitest sets the exit code on a failure; a run that found no test file fails too.
if (process.exitCode || vitest.state.getFiles().length === 0 || vitest.state.getCountOfFailedTests() > 0) {
  console.error('testing example: the tests failed');
  process.exit(1);
}
