/**
 * What the cache plugin needs from a store. Every entry is stamped with the generation of its key
 * (and of its entity type) at the time its database read started; a write bumps the generation after
 * it commits, so an entry filled from an older read can never be served again, and a fill that raced
 * a write is refused. Implementations: `memoryStore()` (default, in-process LRU) and `redisStore()`.
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
   * and the entry of `variant` when it carries exactly that stamp.
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
  /** Releases connections (the Redis store closes a client it created). */
  close?(): void | Promise<void>;
  /** Set by the plugin: called when the store evicts an entry of `ns` for space. */
  onEvict?: ((ns: string) => void) | undefined;
}

export interface CacheRead {
  readonly stamp: string;
  readonly value: CachedRow | undefined;
}

/** An entity's database-form snapshot (MikroORM's original entity data), property names as keys. */
export type CachedRow = Record<string, unknown>;
