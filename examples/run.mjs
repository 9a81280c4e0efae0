// Compiles the examples and runs each one; any failure fails the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const only = process.argv[2];
const run = (args, label) => {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`examples: ${label} failed`);
    process.exit(result.status ?? 1);
  }
};

run(['node_modules/typescript/bin/tsc', '-p', 'examples/tsconfig.json'], 'compile');
const names = readdirSync('examples', { withFileTypes: true })
  .filter(d => d.isDirectory() && existsSync(`.tmp/examples/${d.name}/main.js`))
  .map(d => d.name)
  .filter(name => !only || name === only);
if (names.length === 0) {
  console.error(`examples: nothing to run${only ? ` named ${only}` : ''}`);
  process.exit(1);
}
for (const name of names) {
  console.log(`\n=== example: ${name}`);
  run([`.tmp/examples/${name}/main.js`], name);
}
