// `mikro-orm-plugins/cache`: the second-level entity cache and its stores (Redis needs the optional `ioredis`).
import { defaultRegistry } from './core.js';
import { CachePlugin } from './plugins/cache/index.js';

export * from './plugins/cache/index.js';

defaultRegistry.register(CachePlugin);
