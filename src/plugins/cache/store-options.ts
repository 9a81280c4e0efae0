import { PluginConfigError } from '../../core.js';
import { maskUrl } from '../../operations/index.js';

/**
 * Checks of `memoryStore()` and `redisStore()` options, run when the store is created (configuration,
 * so start-up): a bad value throws `PluginConfigError` `MOP_INVALID_OPTIONS` naming the store and the
 * option, instead of a library's untyped error or a store that stays "down" forever.
 */
export function invalidStoreOption(store: string, option: string, expected: string, received: unknown): PluginConfigError {
  return new PluginConfigError('MOP_INVALID_OPTIONS', `${store}(): option '${option}' is invalid: expected ${expected}, received ${shown(received)}`, {
    plugin: 'cache',
    option,
  });
}

/** Most entries of a memory store: its LRU preallocates arrays of this size, four times it for stamps (2^24 of them take ~300 MB and over a second; 2^27 cannot be allocated). */
export const MAX_MEMORY_ENTRIES = 2 ** 22;

export function checkMemoryStoreOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isObject(options)) throw invalidStoreOption('memoryStore', 'options', 'an object', options);
  const max = options.max;
  if (max !== undefined && !(Number.isSafeInteger(max) && (max as number) >= 1 && (max as number) <= MAX_MEMORY_ENTRIES)) {
    throw invalidStoreOption('memoryStore', 'max', `an integer from 1 to ${MAX_MEMORY_ENTRIES}`, max);
  }
}

export function checkRedisStoreOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isObject(options)) throw invalidStoreOption('redisStore', 'options', 'an object', options);
  const { url, client, keyPrefix, redisOptions } = options;
  if (client !== undefined && !(isObject(client) && typeof client.defineCommand === 'function' && typeof client.once === 'function')) {
    throw invalidStoreOption('redisStore', 'client', 'an ioredis client', typeof client === 'object' && client !== null ? 'an object that is not an ioredis client' : client);
  }
  if (client === undefined && url !== undefined && !isRedisUrl(url)) {
    throw invalidStoreOption('redisStore', 'url', 'a redis:// or rediss:// URL', typeof url === 'string' ? shownUrl(url) : url);
  }
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || keyPrefix === '')) {
    throw invalidStoreOption('redisStore', 'keyPrefix', 'a non-empty string', keyPrefix);
  }
  for (const option of ['timeoutMs', 'healthTimeoutMs'] as const) {
    const value = options[option];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 2 ** 31 - 1)) {
      throw invalidStoreOption('redisStore', option, 'a number of milliseconds greater than 0', value);
    }
  }
  if (redisOptions !== undefined && !isObject(redisOptions)) throw invalidStoreOption('redisStore', 'redisOptions', 'an object of ioredis options', redisOptions);
}

function isRedisUrl(url: unknown): boolean {
  if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** A URL as the error shows it (`redis://user:***@host`); a string that does not read as `scheme://…` is not shown, since where a secret sits in it is unknown. */
function shownUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? maskUrl(url) : 'a string that is not a URL';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value.startsWith('a string') || value.startsWith('an object') ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined || value === null) return String(value);
  return typeof value;
}
