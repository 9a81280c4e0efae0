export { CachePlugin, cachePluginOf } from './plugin.js';
export { CACHE_ERRORS } from './errors.js';
export { cacheMetrics, cacheStores, clearCache } from './api.js';
export { memoryStore, type MemoryStoreOptions } from './memory-store.js';
export { redisStore, type RedisStore, type RedisStoreOptions, type RedisConnectionOptions } from './redis-store.js';
export type { HealthReport } from './redis-health.js';
export { CacheStore, type CachedRow, type CacheRead } from './store.js';
export type { CacheOptions } from './options.js';
export type { CacheMetrics } from './metrics.js';
