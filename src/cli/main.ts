#!/usr/bin/env node
// The `mikro-orm-plugins` binary. Everything else lives in run.ts, so tests and tools can call `run()`.
// The version check comes before any heavy import: older Nodes crash loading the dependencies instead of saying why.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 17)) {
  process.stderr.write(`mikro-orm-plugins needs Node.js 22.17 or later; this is Node.js ${process.versions.node}\n`);
  process.exitCode = 1;
} else {
  const { run } = await import('./run.js');
  process.exitCode = await run(process.argv.slice(2));
}
