// `mikro-orm-plugins`: the plugin API (`mikro-orm-plugins/core`) and the timestamp, softDelete and validation
// plugins. Audit, cache and operations are separate entries, loaded only by applications that import them.
import { defaultRegistry } from './core.js';
import { SoftDeletePlugin, TimestampPlugin, ValidationPlugin } from './plugins/index.js';

export * from './core.js';
export * from './plugins/index.js';

// The built-ins of this entry, in one place and one order (their registration rank), so `['timestamp']` names them.
defaultRegistry.registerMany([TimestampPlugin, SoftDeletePlugin, ValidationPlugin]);
