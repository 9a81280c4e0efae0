import { invalidArgument, PluginConfigError } from '../../errors.js';
import { maskUrl } from '../../registry/secrets.js';

/** How this instance hears of plugin-state changes other instances make. */
export type PluginStatePropagation = 'postgres-notify' | 'redis' | 'polling' | 'none';

/** The part of an ioredis client the Redis notifier uses: it publishes on it and subscribes on a `duplicate()`. */
export interface RedisNotifyClient {
  duplicate(override?: object): unknown;
  publish(channel: string, message: string): Promise<unknown>;
}

export interface PluginStateNotifyOptions {
  /**
   * Redis pub/sub instead of PostgreSQL LISTEN/NOTIFY (any database, MariaDB and SQLite included): a
   * `redis://` / `rediss://` URL, or an ioredis client of yours (never closed here; it subscribes on a
   * `duplicate()` of it). Needs the optional `ioredis` package when given a URL.
   */
  redis?: string | RedisNotifyClient;
  /** Channel name; one per set of instances sharing a plugin_state table. Default derived from the table (and database, for Redis). */
  channel?: string;
  /**
   * Milliseconds between reads of the version counter while notifications are connected: the safety net
   * for a notification lost with its connection. `false` or 0: none. Default 30000.
   */
  safetyPollInterval?: number | false;
}

/** What `notify` asks for: polling only, Redis, or `auto` (LISTEN/NOTIFY when the database is PostgreSQL, else polling). */
export type NotifySettings =
  | { readonly kind: 'off' }
  | { readonly kind: 'auto' | 'redis'; readonly redis?: string | RedisNotifyClient; readonly channel?: string; readonly safetyPollInterval: number | false };

const FN = 'pluginOperations';

/**
 * Checks `state.notify` as plain JavaScript may give it. `undefined`/`true`: LISTEN/NOTIFY where the
 * database is PostgreSQL, polling elsewhere; `false`: polling only.
 */
export function notifySettings(notify: unknown): NotifySettings {
  if (notify === false) return { kind: 'off' };
  if (notify === undefined || notify === true) return { kind: 'auto', safetyPollInterval: 30_000 };
  if (typeof notify !== 'object' || notify === null || Array.isArray(notify)) throw invalidArgument(FN, 'state.notify', 'a boolean or an object { redis, channel, safetyPollInterval }', notify);
  const { redis, channel, safetyPollInterval } = notify as PluginStateNotifyOptions;
  if (channel !== undefined && (typeof channel !== 'string' || channel === '' || Buffer.byteLength(channel) > 63)) {
    throw invalidArgument(FN, 'state.notify.channel', 'a non-empty string of at most 63 bytes', channel);
  }
  if (safetyPollInterval !== undefined && safetyPollInterval !== false && !(typeof safetyPollInterval === 'number' && safetyPollInterval >= 0 && Number.isFinite(safetyPollInterval))) {
    throw invalidArgument(FN, 'state.notify.safetyPollInterval', 'a number of milliseconds or false', safetyPollInterval);
  }
  const safety = safetyPollInterval ?? 30_000;
  if (redis === undefined) return { kind: 'auto', ...(channel === undefined ? {} : { channel }), safetyPollInterval: safety };
  if (typeof redis === 'string') {
    if (!/^rediss?:\/\//i.test(redis)) {
      throw new PluginConfigError('MOP_INVALID_OPTIONS', `${FN}: 'state.notify.redis' must be a redis:// or rediss:// URL, got ${JSON.stringify(maskUrl(redis))}`, { option: 'state.notify.redis' });
    }
  } else if (typeof redis !== 'object' || redis === null || typeof (redis as RedisNotifyClient).duplicate !== 'function' || typeof (redis as RedisNotifyClient).publish !== 'function') {
    throw invalidArgument(FN, 'state.notify.redis', 'a redis:// URL or an ioredis client', redis);
  }
  return { kind: 'redis', redis, ...(channel === undefined ? {} : { channel }), safetyPollInterval: safety };
}
