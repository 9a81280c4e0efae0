import type { HealthCheckResult } from '../../core.js';
import { PluginType, definePluginType, type ImplementationInfo, type ImplementationOptions } from '../../operations/index.js';

/**
 * What the cache plugin needs from a store. Every entry is stamped with the generation of its key
 * (and of its entity type) at the time its database read started; a write bumps the generation after
 * it commits, so an entry filled from an older read can never be served again, and a fill that raced
 * a write is refused. Implementations: `memoryStore()` (default, in-process LRU) and `redisStore()`; the `CacheStore`
 * plugin type below selects one per ORM for entities that name none.
 *
 * - `ns` is the entity's cache namespace (its `prefix` option), `id` the serialized primary key,
 *   `variant` the resolved query filters the row was read under (so a tenant's row is never served
 *   to another tenant, and a soft-deleted row never to a read that hides it).
 * - Methods may be sync or async. A store that cannot reach its backend should throw: the plugin
 *   then reads from the database, logs one warning, and tries the store again on later calls.
 */
export interface CacheStore {
  /** For messages and metrics. */
  readonly name: string;
  /**
   * The current stamp of (ns, id) (created when absent: a fresh value never equal to an older one),
   * and the entry of `variant` when it carries exactly that stamp. The row returned is the caller's
   * to keep and change (a fresh copy or a fresh deserialization, never the stored object).
   */
  read(ns: string, id: string, variant: string): CacheRead | Promise<CacheRead>;
  /** Stores `value` for `ttlMs` only if the stamp of (ns, id) is still `stamp`. Returns whether it stored. */
  fill(ns: string, id: string, variant: string, stamp: string, value: CachedRow, ttlMs: number): boolean | Promise<boolean>;
  /** Bumps the stamp of each key and drops its entries (after a commit that changed those rows). */
  invalidate(ns: string, ids: readonly string[]): void | Promise<void>;
  /** Bumps the stamp of the whole namespace: every entry of the entity type is dropped (bulk writes). */
  invalidateAll(ns: string): void | Promise<void>;
  /** Drops everything this store holds. */
  clear(): void | Promise<void>;
  /** Starts connecting to the backend, without waiting; the plugin calls it at start-up for each store an entity names, and when it first selects one. */
  open?(): void;
  /**
   * Whether the store can answer now, known without waiting. Anything but `true` (the Redis store while
   * it connects, the first time or again, and during an outage): reads skip the store and go to the
   * database at once, counted as `bypasses`, so a cache never makes a read slower than the database alone.
   */
  isReady?(): boolean;
  /** Releases connections (the Redis store closes a client it created). */
  close?(): void | Promise<void>;
  /** Set by the plugin: called when the store evicts an entry of `ns` for space. */
  onEvict?: ((ns: string) => void) | undefined;
  /** Whether the backend answers now (the Redis store sends PING); run by `doctor` through the cache plugin. */
  healthCheck?(): HealthCheckResult | Promise<HealthCheckResult>;
  /** Connects afresh with the store's settings and reports whether that works; run by `doctor` through the cache plugin. */
  testConnection?(): HealthCheckResult | Promise<HealthCheckResult>;
}

/**
 * The `CacheStore` plugin type: register store implementations against it, and the cache plugin uses
 * the one selected (lowest-priority `active`, else `reserve`, as the ORM's `plugin_state` says) for
 * every entity whose `cache` options name no `store`:
 *
 *     CacheStore.register('redis', redisStore({ url }), { priority: 1 });
 *     CacheStore.register('memory', memoryStore(), { priority: 2, status: 'reserve' });
 *
 * An implementation is shared by every ORM of the process that selects it (prefixes keep entities
 * apart inside it); the plugin never closes it.
 */
export const CacheStore: PluginType<CacheStore> = new (class CacheStoreType extends PluginType<CacheStore> {
  // Defined in the process (so listed by `pluginTypes()`, `list` and `sync`) once a first implementation
  // registers: an application that registers none sees no empty type in its operations output.
  #defined: PluginType<CacheStore> | undefined;

  override register(name: string, implementation: CacheStore | (new () => CacheStore), options?: ImplementationOptions): this {
    this.#defined ??= definePluginType<CacheStore>(this.name, { methods: this.methods as (keyof CacheStore & string)[], description: this.description });
    this.#defined.register(name, implementation, options);
    return this;
  }

  override implementations(source?: Parameters<PluginType<CacheStore>['implementations']>[0]): ImplementationInfo<CacheStore>[] {
    return this.#defined ? this.#defined.implementations(source) : super.implementations(source);
  }

  override find(source?: Parameters<PluginType<CacheStore>['find']>[0]): CacheStore | undefined {
    return this.#defined ? this.#defined.find(source) : undefined;
  }

  override get(source?: Parameters<PluginType<CacheStore>['get']>[0]): CacheStore {
    return this.#defined ? this.#defined.get(source) : super.get(source);
  }
})('CacheStore', {
  methods: ['read', 'fill', 'invalidate', 'invalidateAll', 'clear'],
  description: 'Where the cache plugin keeps entity rows: memoryStore(), redisStore(), or your own',
});

export interface CacheRead {
  readonly stamp: string;
  readonly value: CachedRow | undefined;
}

/** An entity's database-form snapshot (MikroORM's original entity data), property names as keys. */
export type CachedRow = Record<string, unknown>;
