// `mikro-orm-plugins/testing`: helpers for testing plugins and the entities that use them, on in-memory
// SQLite. Framework-agnostic (plain values and thrown errors), so they work in vitest, jest and node:test.
// Needs `@mikro-orm/sqlite` (an optional peer dependency), and imports only the package's public entries.
export { testRegistry } from './testing/registry.js';
export { createTestOrm, type TestOrm, type TestOrmOptions } from './testing/orm.js';
export { recordHooks, type CallFilter, type HookCall, type HookRecorder } from './testing/hook-recorder.js';
export { expectChain } from './testing/expect-chain.js';
export { fakeClock, type FakeClock } from './testing/clock.js';
export { withActor } from './testing/actor.js';
