import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Redis, RedisOptions } from 'ioredis';
import { loadIoredis } from './ioredis-module.js';
import { checkRedisStoreOptions } from './store-options.js';
import { firstAttempt, ping, publicRedisUrl, redisSecrets, scrubRedisMessage, testRedisConnection, withTimeout, type HealthReport } from './redis-health.js';
import type { CachedRow, CacheRead, CacheStore } from './store.js';

export interface RedisStoreOptions {
  /** `redis://host:port/db`; ignored when `client` is given. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** An ioredis client of yours; the store never closes it. Give it `enableOfflineQueue: false` so calls fail fast while Redis is down. */
  client?: Redis;
  /** Put before every key (after the `keyPrefix` of your `client`, if it has one); one per application sharing a Redis. Default `mop:cache:`. */
  keyPrefix?: string;
  /** Most milliseconds a call may take before it counts as failed (the read goes to the database). Default 500. */
  timeoutMs?: number;
  /** More ioredis options for the client the store creates from `url`. */
  redisOptions?: RedisOptions;
  /** Most milliseconds `healthCheck()` and `testConnection()` wait for Redis. Default 2000. */
  healthTimeoutMs?: number;
}

// Stamps: `<run>:<namespace stamp>.<key stamp>`. The run is the server's run_id (new at every start
// of redis-server), so nothing stored before a restart is served after it, even when the server
// reloads a dump that predates invalidations it acknowledged, or one taken while an instance could
// not reach it. The two counters come from one clock per key prefix that never runs behind the server
// clock (microseconds), so a stamp that was evicted or expired is recreated with a value no entry can
// carry. Entries are `<stamp>|<v8-serialized row>`.
const RUN = `
local function run()
  local info = redis.pcall('INFO', 'server')
  if type(info) ~= 'string' then return '' end
  return string.sub(string.match(info, 'run_id:(%x+)') or '', 1, 16)
end
`;
const STAMP = `
local function stamp(key, ttl)
  local v = redis.call('GET', key)
  if v then return v end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local c = redis.call('INCR', KEYS[1])
  if c < now then redis.call('SET', KEYS[1], string.format('%.0f', now)); c = now end
  v = string.format('%.0f', c)
  if ttl == '0' then redis.call('SET', key, v) else redis.call('SET', key, v, 'PX', ttl) end
  return v
end
`;
/** KEYS: clock, namespace stamp, key stamp, entry. ARGV: stamp ttl. Returns { stamp, row? }. */
const READ = `${RUN}${STAMP}
local s = run() .. ':' .. stamp(KEYS[2], '0') .. '.' .. stamp(KEYS[3], ARGV[1])
local e = redis.call('GET', KEYS[4])
if e and string.sub(e, 1, string.len(s) + 1) == s .. '|' then return { s, string.sub(e, string.len(s) + 2) } end
return { s }
`;
/** KEYS: namespace stamp, key stamp, entry, variants. ARGV: stamp, row, ttl, stamp ttl. Stores only under an unchanged stamp. */
const FILL = `${RUN}
local a = redis.call('GET', KEYS[1])
local b = redis.call('GET', KEYS[2])
if not a or not b or (run() .. ':' .. a .. '.' .. b) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[3], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[4], KEYS[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`;
/** KEYS: clock, then (key stamp, variants) pairs. ARGV: stamp ttl. Bumps each key's stamp, then deletes its entries. */
const INVALIDATE = `${STAMP}
for i = 2, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  stamp(KEYS[i], ARGV[1])
  local entries = redis.call('SMEMBERS', KEYS[i + 1])
  for _, e in ipairs(entries) do redis.call('DEL', e) end
  redis.call('DEL', KEYS[i + 1])
end
return 1
`;
/** KEYS: clock, namespace stamp. */
const INVALIDATE_ALL = `${STAMP}
redis.call('DEL', KEYS[2])
stamp(KEYS[2], '0')
return 1
`;

interface Commands {
  mopCacheReadBuffer(...args: (string | number)[]): Promise<Buffer[]>;
  mopCacheFill(...args: (string | number | Buffer)[]): Promise<number>;
  mopCacheInvalidate(...args: (string | number)[]): Promise<number>;
  mopCacheInvalidateAll(...args: (string | number)[]): Promise<number>;
}

/**
 * A store on Redis (ioredis), for several application instances sharing one cache. Reads, fills
 * and invalidations are one Lua script each, so the stamp check and the write are atomic: a fill
 * whose read started before a commit's invalidation is refused. Calls that fail or take longer than
 * `timeoutMs` throw; the plugin then uses the database, warns once, and comes back by itself.
 * Reads never wait for Redis: while the client is not ready (connecting, or Redis down) they skip the
 * store and go to the database. Invalidations made during the first connection attempt wait for it
 * (at most `timeoutMs`); later ones fail at once while the client is not ready. Bad options
 * throw `PluginConfigError` `MOP_INVALID_OPTIONS` here, naming the option (a URL's password masked).
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  checkRedisStoreOptions(options);
  return new RedisCacheStore(options);
}

/** Where `testConnection` connects: a URL and client options, by default the store's own. */
export type RedisConnectionOptions = Pick<RedisStoreOptions, 'url' | 'redisOptions' | 'healthTimeoutMs'>;

/** A Redis store, with the health checks `doctor` runs through the cache plugin. */
export interface RedisStore extends CacheStore {
  healthCheck(): Promise<HealthReport>;
  testConnection(options?: RedisConnectionOptions): Promise<HealthReport>;
  /** Starts connecting (a client of yours with `lazyConnect` too); the plugin calls it at start-up. */
  open(): void;
  /** Whether the client is ready now; reads skip the store while it is not (connecting, or Redis down). */
  isReady(): boolean;
  /**
   * Resolves once the client is ready (true), or its connection attempt failed or `timeoutMs` passed
   * (false). Reads never wait for Redis: await this at start-up if the first requests should use the cache.
   */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

class RedisCacheStore implements RedisStore {
  readonly name: string;
  onEvict: undefined;
  readonly #options: RedisStoreOptions;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  #client: (Redis & Commands) | undefined;
  /** Settles when the client's first connection attempt does (ready, or failed); undefined after that. */
  #firstAttempt: Promise<void> | undefined;
  readonly #owned: boolean;
  /** The ioredis client class, for a store that makes its own client. */
  readonly #RedisClient: typeof Redis | undefined;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    // Loaded now, so a missing ioredis fails where the store is configured (start-up), not at the first read.
    this.#RedisClient = options.client === undefined ? loadIoredis().Redis : undefined;
    this.#prefix = options.keyPrefix ?? 'mop:cache:';
    this.#timeoutMs = options.timeoutMs ?? 500;
    this.#owned = options.client === undefined;
    this.name = `redis(${options.client ? 'client' : publicRedisUrl(options.url ?? DEFAULT_URL)})`;
  }

  /**
   * PING on the store's client (a short-lived one when the store has not connected yet), within
   * `healthTimeoutMs`. Run by `doctor` through the cache plugin's `healthCheck`.
   */
  async healthCheck(): Promise<HealthReport> {
    const client = this.#client ?? this.#options.client;
    if (!client) return this.testConnection();
    const timeoutMs = this.#options.healthTimeoutMs ?? 2000;
    try {
      if (client.status !== 'ready') {
        let onReady!: () => void;
        const ready = new Promise<void>(resolve => client.once('ready', (onReady = resolve)));
        await withTimeout(ready, timeoutMs, `not connected within ${timeoutMs} ms (${client.status})`).finally(() => client.off('ready', onReady));
      }
      await ping(client, timeoutMs);
      return { ok: true, message: `${this.name} answered PING` };
    } catch (error) {
      // Both passwords, the URL's and redisOptions': a server or proxy may quote either back.
      return { ok: false, message: `${this.name}: ${scrubRedisMessage((error as Error)?.message ?? String(error), this.#options.url, redisSecrets(this.#options.url, this.#options.redisOptions))}` };
    }
  }

  /**
   * Connects a new client with these options (default: the store's own `url` and `redisOptions`),
   * sends PING and disconnects. A store built on your `client` pings that client instead. Messages
   * name the server without credentials.
   */
  async testConnection(options: RedisConnectionOptions = this.#options): Promise<HealthReport> {
    const timeoutMs = options.healthTimeoutMs ?? this.#options.healthTimeoutMs ?? 2000;
    const own = options === this.#options;
    if (own && this.#options.client) return this.healthCheck();
    return testRedisConnection(options.url ?? DEFAULT_URL, options.redisOptions, timeoutMs, own ? this.name : undefined);
  }

  open(): void {
    const client = this.#connect();
    if (client.status === 'wait') client.connect().catch(() => {});
  }

  isReady(): boolean {
    if (!this.#client) this.open();
    return this.#client!.status === 'ready';
  }

  async ready(): Promise<boolean> {
    if (this.isReady()) return true;
    const client = this.#client!;
    await this.#within(this.#firstAttempt ?? firstAttempt(client, () => {}));
    return client.status === 'ready';
  }

  /** `attempt`, at most `timeoutMs`. */
  #within(attempt: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(resolve => (timer = setTimeout(resolve, this.#timeoutMs)));
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }

  async read(ns: string, id: string, variant: string): Promise<CacheRead> {
    const k = this.#keys(ns, id, variant);
    const [stamp, row] = await this.#run(c => c.mopCacheReadBuffer(k.clock, k.nsStamp, k.stamp, k.entry, k.stampTtl));
    return { stamp: stamp!.toString(), value: row ? (deserialize(row) as CachedRow) : undefined };
  }

  async fill(ns: string, id: string, variant: string, stamp: string, value: CachedRow, ttlMs: number): Promise<boolean> {
    const k = this.#keys(ns, id, variant);
    const stampTtl = Math.max(ttlMs * 2, 3_600_000);
    return (await this.#run(c => c.mopCacheFill(k.nsStamp, k.stamp, k.entry, k.variants, stamp, serialize(value), ttlMs, stampTtl))) === 1;
  }

  async invalidate(ns: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const keys = ids.flatMap(id => {
      const k = this.#keys(ns, id, '');
      return [k.stamp, k.variants];
    });
    await this.#run(c => c.mopCacheInvalidate(1 + keys.length, `${this.#prefix}clock`, ...keys, 86_400_000));
  }

  async invalidateAll(ns: string): Promise<void> {
    await this.#run(c => c.mopCacheInvalidateAll(`${this.#prefix}clock`, `${this.#prefix}${ns}:t`));
  }

  async clear(): Promise<void> {
    await this.#run(async c => {
      // ioredis puts a client's own keyPrefix before the keys of commands, but not before a SCAN pattern, nor takes it off SCAN's answer.
      const own = c.options.keyPrefix ?? '';
      let cursor = '0';
      do {
        const [next, keys] = await c.scan(cursor, 'MATCH', `${escapeGlob(own + this.#prefix)}*`, 'COUNT', 500);
        cursor = next;
        const doomed = keys.map(k => k.slice(own.length)).filter(k => k !== `${this.#prefix}clock`);
        if (doomed.length > 0) await c.del(...doomed);
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client && this.#owned) client.disconnect();
  }

  #keys(ns: string, id: string, variant: string) {
    const base = `${this.#prefix}${ns}:`;
    const v = variant === '{}' ? '0' : createHash('sha1').update(variant).digest('base64url').slice(0, 16);
    return {
      clock: `${this.#prefix}clock`,
      nsStamp: `${base}t`,
      stamp: `${base}g:${id}`,
      entry: `${base}e:${id}:${v}`,
      variants: `${base}v:${id}`,
      stampTtl: 86_400_000,
    };
  }

  async #run<T>(fn: (client: Redis & Commands) => Promise<T>): Promise<T> {
    const client = this.#connect();
    // Reads never get here unless the client is ready. An invalidation made during the client's first connection
    // attempt waits for it (at most timeoutMs; a refused one ends it at once): missed, it would be held in this
    // process alone while other instances read the entry. After that, a client that is not ready fails at once.
    if (client.status === 'wait') this.open();
    if (client.status !== 'ready' && this.#firstAttempt) await this.#within(this.#firstAttempt);
    if (client.status !== 'ready') throw new Error(`not connected to Redis (${client.status})`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([fn(client), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #connect(): Redis & Commands {
    if (this.#client) return this.#client;
    let client = this.#options.client;
    if (!client) {
      client = new this.#RedisClient!(this.#options.url ?? DEFAULT_URL, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: times => Math.min(times * 100, 1000),
        ...this.#options.redisOptions,
      });
      // Connection errors surface as failed calls (the plugin warns once); without a listener ioredis would print each retry.
      client.on('error', () => {});
    }
    if (client.status === 'wait' || client.status === 'connecting' || client.status === 'connect') this.#firstAttempt = firstAttempt(client, () => (this.#firstAttempt = undefined));
    const commands = client as Redis & Commands & { mopCacheFill?: unknown };
    if (typeof commands.mopCacheFill !== 'function') {
      client.defineCommand('mopCacheRead', { numberOfKeys: 4, lua: READ });
      client.defineCommand('mopCacheFill', { numberOfKeys: 4, lua: FILL });
      client.defineCommand('mopCacheInvalidate', { lua: INVALIDATE });
      client.defineCommand('mopCacheInvalidateAll', { numberOfKeys: 2, lua: INVALIDATE_ALL });
    }
    return (this.#client = commands);
  }
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, m => `\\${m}`);
}
