// The one module that relies on MikroORM members outside its public API. `checkSupportedOrm` runs when
// `pluginSystem()` registers and fails loudly when a member is missing, so nothing stops working silently.
// Only the files of this folder touch those members; the rest of the package imports from here.

export { checkSupportedOrm, driverEntityManager, SUPPORTED_ORM, UnsupportedOrmError } from './support.js';
export { builderClassFor, builderState, checkQueryBuilder, joinTarget, type Builder, type BuilderClass, type BuilderHooks, type BuilderState } from './query-builder.js';
export { entityState, filterConditions, hydrateLoaded, managedById, markStrict, withFilterJoinHooks, type EntityState, type FilterJoinHooks } from './reads.js';
export { markDispatched, withEventDispatched } from './events.js';
export { aroundClose, createEarlyEntityManager } from './lifecycle.js';
export { commitOrder, writeHookFields } from './change-sets.js';
export { checkChangedTypes, diffSinceSnapshot, replaceSnapshot, tableNameOf, type EntityDiff } from './snapshots.js';
