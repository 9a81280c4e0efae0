// Regenerates the console screenshots in docs/images/ (light and dark): the browser tests take them as they go
// through their stories on the sample app (test/support/console-sample-app.ts) when CONSOLE_SCREENSHOTS names a folder.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('../docs/images/', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

const result = spawnSync(process.execPath, [vitest, 'run', 'test/console-browser.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  // Required: a missing Chromium fails here instead of skipping silently.
  env: { ...process.env, CONSOLE_SCREENSHOTS: out, REQUIRE_DATABASES: '1', TEST_DATABASES: 'sqlite' },
});
if (result.status !== 0) process.exit(result.status ?? 1);
const written = readdirSync(out).filter(name => name.startsWith('console-') && name.endsWith('.png'));
console.log(`screenshots: ${written.length} in docs/images/: ${written.join(', ')}`);
