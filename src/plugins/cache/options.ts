import type { OptionIssue } from '../../core.js';
import { CacheStore } from './store.js';

export interface CacheOptions {
  /** Seconds an entry lives. Default 3600. */
  ttl: number;
  /** The entity's namespace in the store; unique among the ORM's cached entities. Default: the entity's class name. */
  prefix: string;
  /**
   * `'memory'` (one in-process LRU per ORM, 10 000 entries), a Redis URL (`'redis://127.0.0.1:6379'`:
   * one `redisStore({ url })` per URL and ORM), or a store instance (`memoryStore({ max })`,
   * `redisStore({ client, keyPrefix })`, or your own `CacheStore`). Named here, it is always this
   * entity's store. Left out: the implementation the `CacheStore` plugin type selects for the ORM
   * (its `plugin_state` decides, so operators can switch it), or `'memory'` when none is registered.
   */
  store?: 'memory' | string | CacheStore;
}

declare module '../../plugin-api.js' {
  interface PluginOptionsMap {
    cache: Partial<CacheOptions>;
  }
}

export const cacheDefaults: Partial<CacheOptions> = { ttl: 3600 };

export function validateCacheOptions(o: CacheOptions): OptionIssue[] {
  const issues: OptionIssue[] = [];
  if (typeof o.ttl !== 'number' || !Number.isFinite(o.ttl) || o.ttl <= 0) issues.push({ option: 'ttl', expected: 'a number of seconds greater than 0' });
  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || o.prefix === '')) issues.push({ option: 'prefix', expected: 'a non-empty string' });
  const s = o.store as unknown;
  const isStore = typeof s === 'object' && s !== null && CacheStore.methods.every(m => typeof (s as Record<string, unknown>)[m] === 'function');
  const isName = typeof s === 'string' && (s === 'memory' || /^rediss?:\/\//.test(s));
  if (s !== undefined && !isStore && !isName) {
    issues.push({ option: 'store', expected: `'memory', a redis:// URL, or a CacheStore (memoryStore(), redisStore(), or an object with ${CacheStore.methods.join(', ')})` });
  }
  return issues;
}
