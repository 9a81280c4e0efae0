export { CachePlugin, cachePluginOf } from './plugin.js';
export { cacheMetrics, clearCache } from './api.js';
export { memoryStore, type MemoryStoreOptions } from './memory-store.js';
export { redisStore, type RedisStoreOptions } from './redis-store.js';
export type { CacheOptions } from './options.js';
export type { CacheMetrics } from './metrics.js';
export type { CachedRow, CacheRead, CacheStore } from './store.js';
import './find-by-id.js';
