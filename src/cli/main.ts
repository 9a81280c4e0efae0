#!/usr/bin/env node
// The `mikro-orm-plugins` binary. Everything else lives in run.ts, so tests and tools can call `run()`.
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2));
