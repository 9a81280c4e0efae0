import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Redis, RedisOptions } from 'ioredis';
import { CallDeadlines } from './call-deadlines.js';
import { loadIoredis } from './ioredis-module.js';
import { RunIdWatch } from './redis-run-id.js';
import { defineScripts, type StoreCommands } from './redis-scripts.js';
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

/**
 * A store on Redis (ioredis), for several application instances sharing one cache. Fills and
 * invalidations are one Lua script each, so the stamp check and the write are atomic: a fill whose
 * read started before a commit's invalidation is refused; a hit is one MGET (./redis-scripts.ts).
 * Calls that fail or take longer than `timeoutMs` throw; the plugin then uses the database, warns once, and comes back by itself.
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
  readonly #deadlines: CallDeadlines;
  #client: (Redis & StoreCommands) | undefined;
  /** The run id of the client's connection, learnt when it gets ready. */
  #watch: RunIdWatch | undefined;
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
    this.#deadlines = new CallDeadlines(this.#timeoutMs, `no answer from Redis within ${this.#timeoutMs} ms`);
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

  /** A hit is one MGET: both counters and the entry, read at one instant. Sync up to the round trip, which is every hit's path. */
  read(ns: string, id: string, variant: string): Promise<CacheRead> {
    this.#connect();
    const watch = this.#watch!;
    const runId = watch.runId;
    const k = this.#keys(ns, id, variant);
    if (runId === undefined) return this.#scriptRead(k);
    const epoch = watch.epoch;
    return this.#run(c => c.mgetBuffer(k.nsStamp, k.stamp, k.entry)).then(([a, b, entry]) => {
      // A missing counter is created by the script; a reply that crossed a reconnection may be another server's.
      if (!a || !b || watch.epoch !== epoch) return this.#scriptRead(k);
      const stamp = `${runId}:${a.toString('latin1')}.${b.toString('latin1')}`;
      const n = stamp.length;
      const hit = entry && entry.length > n && entry[n] === PIPE && entry.toString('latin1', 0, n) === stamp;
      return { stamp, value: hit ? (deserialize(entry.subarray(n + 1)) as CachedRow) : undefined };
    });
  }

  /** The read script, while the run id is not known or a counter is missing: it creates the counters, and its stamp carries the server's run id. */
  async #scriptRead(k: StoreKeys): Promise<CacheRead> {
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
    this.#watch?.detach();
    this.#watch = undefined;
    if (client && this.#owned) client.disconnect();
  }

  #keys(ns: string, id: string, variant: string): StoreKeys {
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

  #run<T>(fn: (client: Redis & StoreCommands) => Promise<T>): Promise<T> {
    const client = this.#connect();
    // Reads never get here unless the client is ready. An invalidation made during the client's first connection
    // attempt waits for it (at most timeoutMs; a refused one ends it at once): missed, it would be held in this
    // process alone while other instances read the entry. After that, a client that is not ready fails at once.
    if (client.status === 'wait') this.open();
    if (client.status !== 'ready' && this.#firstAttempt) return this.#within(this.#firstAttempt).then(() => this.#timed(client, fn));
    return this.#timed(client, fn);
  }

  /** The call, failed after timeoutMs. */
  #timed<T>(client: Redis & StoreCommands, fn: (client: Redis & StoreCommands) => Promise<T>): Promise<T> {
    if (client.status !== 'ready') return Promise.reject(new Error(`not connected to Redis (${client.status})`));
    let call: Promise<T>;
    try {
      call = fn(client);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#deadlines.within(call);
  }

  #connect(): Redis & StoreCommands {
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
    defineScripts(client);
    const commands = client as Redis & StoreCommands;
    this.#watch = new RunIdWatch(commands, this.#timeoutMs);
    return (this.#client = commands);
  }
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** An entry's keys: the namespace and entity counters, the entry of one filter variant, the set of its variants. */
interface StoreKeys {
  readonly clock: string;
  readonly nsStamp: string;
  readonly stamp: string;
  readonly entry: string;
  readonly variants: string;
  readonly stampTtl: number;
}
/** `|`, between an entry's stamp and its row. */
const PIPE = 0x7c;

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, m => `\\${m}`);
}
