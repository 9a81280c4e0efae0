// `mikro-orm-plugins`: the plugin API (`mikro-orm-plugins/core`) and the timestamp, softDelete and validation
// plugins. Audit, cache and operations are separate entries, loaded only by applications that import them.
export * from './core.js';
export * from './plugins/index.js';
