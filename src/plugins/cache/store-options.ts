import { PluginConfigError } from '../../core.js';

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

/** Most entries of a memory store: its LRU preallocates arrays of this size (four times it for stamps). */
export const MAX_MEMORY_ENTRIES = 2 ** 28;

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
    throw invalidStoreOption('redisStore', 'url', 'a redis:// or rediss:// URL', typeof url === 'string' ? maskedUrl(url) : url);
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

/**
 * A URL as an error may show it: the password replaced by `***` (`redis://user:***@host`). A string
 * that does not read as `scheme://…` is not shown at all, since where a secret sits in it is unknown.
 */
export function maskedUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return 'a string that is not a URL';
  const after = url.slice(scheme.length);
  // The last `@` ends the credentials, whatever characters the password holds; a query or fragment (`?password=…`) is never shown.
  const at = after.lastIndexOf('@');
  const place = after.slice(at + 1).replace(/[?#].*$/s, '');
  if (at < 0) return `${scheme}${place}`;
  const userinfo = after.slice(0, at);
  const colon = userinfo.indexOf(':');
  // Without a colon the userinfo may be a password alone (`redis://secret@host`): hidden as well.
  return `${scheme}${colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`}@${place}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value.startsWith('a string') || value.startsWith('an object') ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined || value === null) return String(value);
  return typeof value;
}
