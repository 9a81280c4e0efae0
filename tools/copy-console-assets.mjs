// The build copies no .html/.css/.js assets: put the console page in dist/console/assets/, beside the bundled entry dist/console.js,
// which serves it from there (src/console/assets.ts).
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/console/assets/', import.meta.url));
const to = fileURLToPath(new URL('../dist/console/assets/', import.meta.url));

if (!existsSync(from)) throw new Error(`copy-console-assets: ${from} is missing`);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
