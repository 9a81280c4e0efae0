// The plugin author's API: everything a plugin needs, and nothing of the built-in plugins.
// Published as `mikro-orm-plugins/core`; the built-in plugins import only this and `mikro-orm-plugins/operations`.
export * from './errors.js';
// For errors that name a misspelt option, property or relation the way the package's own do.
export { didYouMean, nearestName } from './registry/did-you-mean.js';
export * from './events.js';
export * from './batch-hooks.js';
export type * from './plugin-api.js';
export { hook, type HookDecorator } from './registry/hook-decorator.js';
export { plugin, type PluginDecoratorOptions } from './registry/plugin-decorator.js';
export { PluginRegistry, defaultRegistry, type PluginInfo } from './registry/plugin-registry.js';
export { withPlugins, usePlugins } from './config/entity-plugins.js';
export { noPlugins } from './config/no-plugins.js';
export { pluginSystem, runtimeOf, onCommit, type PluginExtension } from './bridge/extension.js';
// Helpers over MikroORM members outside its public API, checked at start-up (MOP_UNSUPPORTED_ORM), for plugins that read entities.
export {
  UnsupportedOrmError,
  SUPPORTED_ORM,
  entityState,
  filterConditions,
  hydrateLoaded,
  managedById,
  markStrict,
  type EntityState,
} from './bridge/orm-internals/index.js';
export { primaryKeyValues, type PrimaryKeyValue } from './bridge/primary-key.js';
export { loadedRow } from './bridge/loaded-row.js';
export { withPluginEntityManager, RowLimitError, DEFAULT_ROW_LIMIT } from './bridge/plugin-entity-manager.js';
export { QueryBuilderError, withQueryOptions, queryOptionsOf, type QueryBuilderOptions, type AnyQueryBuilder } from './bridge/plugin-query-builder.js';
export type { PluginSystemOptions, HookSummary } from './bridge/plugin-runtime.js';
export { describeChain, pluginOptions, isPluginActive, entityTrait, metadataOf, type ChainEventName } from './bridge/inspect.js';
export { emit } from './bridge/emit.js';
export { deleteAsUpdate } from './bridge/delete-as-update.js';
export { readsNoChangeSets } from './bridge/change-set-readers.js';
export { withoutPlugins } from './bridge/scope.js';
export {
  addPluginColumn,
  markedColumn,
  markColumn,
  columnsIssues,
  inTablePerType,
  type ColumnType,
  type PluginColumn,
  type ResolvedColumn,
} from './columns/plugin-columns.js';
export * from './context/index.js';
