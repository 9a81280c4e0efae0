export * from './errors.js';
export * from './events.js';
export type * from './plugin-api.js';
export { hook, type HookDecorator } from './registry/hook-decorator.js';
export { plugin, type PluginDecoratorOptions } from './registry/plugin-decorator.js';
export { PluginRegistry, defaultRegistry, type PluginInfo } from './registry/plugin-registry.js';
export { withPlugins, usePlugins } from './config/entity-plugins.js';
export { pluginSystem, runtimeOf, onCommit, type PluginExtension } from './bridge/extension.js';
// Helpers over MikroORM members outside its public API, checked at start-up (MOP_UNSUPPORTED_ORM), for plugins that read entities.
export { UnsupportedOrmError, SUPPORTED_ORM, entityState, filterConditions, hydrateLoaded, type EntityState } from './bridge/orm-internals.js';
export { withPluginEntityManager, RowLimitError, DEFAULT_ROW_LIMIT } from './bridge/plugin-entity-manager.js';
export { QueryBuilderError, withQueryOptions, queryOptionsOf, type QueryBuilderOptions, type AnyQueryBuilder } from './bridge/plugin-query-builder.js';
export type { PluginSystemOptions, HookSummary } from './bridge/plugin-runtime.js';
export { describeChain, pluginOptions, type ChainEventName } from './bridge/inspect.js';
export { emit } from './bridge/emit.js';
export { withoutPlugins } from './bridge/scope.js';
export * from './plugins/index.js';
export * from './context/index.js';
// Operations: plugin state, plugin types, config file, option schemas, inspection (src/operations).
export * from './operations/index.js';
