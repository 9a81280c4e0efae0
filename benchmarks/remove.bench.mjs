// remove: variants a–d (bare MikroORM, hand-written MikroORM hooks, our plugins, ours with no plugin) on
// SQLite in memory, SQLite on file and PostgreSQL; all rows in one flush and in batches. See README.md.
// Run through `npm run bench -- remove` (builds dist/ first). A benchmark, never a test: nothing asserts on time.
import { runFlushScenario } from './lib/flush.mjs';

await runFlushScenario('remove');
