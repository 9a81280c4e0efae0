import type { Configuration, EntityManager, EntityMetadata, MikroORM } from '@mikro-orm/core';
import { PluginConfigError, hook, invalidArgument, onCommit, plugin, type EntityChanges, type FindOneCall, type HealthCheckResult, type HookContext, type Plugin, type SetupContext } from '../../core.js';
import { cacheKeyOf, type CachedEntity } from './cached-entity.js';
import { findById } from './find-by-id.js';
import { checkStores, connectionOf, healthOf, testStoreUrl } from './health.js';
import { memoryStore } from './memory-store.js';
import { emptyMetrics, type CacheMetrics } from './metrics.js';
import { cacheDefaults, validateCacheOptions, type CacheOptions } from './options.js';
import { redisStore } from './redis-store.js';
import { StoreAccess } from './store-access.js';
import { StoreChoice } from './store-choice.js';
import type { CacheStore } from './store.js';

/** The cache plugin of each ORM (keyed by its configuration), set when its first cached entity is discovered. */
const plugins = new WeakMap<Configuration, CachePlugin>();

/**
 * A second-level entity cache: `em.findOne(Entity, pk)`, `findOneOrFail` and reference loads by
 * primary key are answered from the store (`interceptFindOne`, src/plugins/cache/find-by-id.ts);
 * writes drop the entry after they commit (`afterCommit`, and `onCommit` for native bulk writes),
 * and every entry carries the generation stamp its read started under, so a fill that raced a write
 * is never served. Written against the public plugin API only, like every built-in plugin.
 */
@plugin({
  name: 'cache',
  package: 'mikro-orm-plugins',
  // Metadata only: the package's entry modules register the built-ins (src/index.ts, audit.ts, cache.ts).
  registry: false,
  version: '1.1.0',
  description: 'Second-level entity cache for findOne by primary key: memory LRU or Redis, dropped after each commit.',
  // `ttl` is read from the hook's options at each fill; prefix and store are fixed at start-up.
  options: {
    defaults: cacheDefaults,
    validate: validateCacheOptions,
    // For forms (the console): the one option an operator may change; prefix and store are the code's.
    fields: { ttl: { type: 'number', description: 'Seconds an entry lives (greater than 0)' } },
    live: ['ttl'],
  },
})
export class CachePlugin implements Plugin<CacheOptions> {
  readonly #entities = new Map<string, CachedEntity>();
  /** Stores the plugin created from names (`'memory'`, URLs): closed with the plugin. */
  readonly #named = new Map<string, CacheStore>();
  /** Namespace → entity, so two entities never share keys, and evictions are counted on the right one. */
  readonly #namespaces = new Map<string, CachedEntity>();
  readonly #access = new StoreAccess(message => this.warn(message));
  readonly #choice = new StoreChoice(
    this.#access,
    () => [...this.#entities.values()].filter(c => c.fixed === undefined),
    () => this.#storeNamed('memory'),
    store => this.#firstUse(store),
  );
  /** Where the one warning per outage goes. */
  warn: (message: string) => void = message => console.warn(message);

  setupEntity(meta: EntityMetadata, { options, platform }: SetupContext<CacheOptions>): void {
    const entity = meta.className;
    const ns = options.prefix ?? entity;
    const taken = this.#namespaces.get(ns);
    if (taken && taken.entity !== entity) {
      throw new PluginConfigError('MOP_CACHE_PREFIX_TAKEN', `Entities '${taken.entity}' and '${entity}' use the same cache prefix '${ns}'; give each its own`, {
        plugin: 'cache',
        entity,
        option: 'prefix',
      });
    }
    const fixed = options.store === undefined ? undefined : typeof options.store === 'string' ? this.#storeNamedFor(entity, options.store) : options.store;
    const cached: CachedEntity = { entity, ns, fixed, metrics: taken?.metrics ?? emptyMetrics() };
    this.#namespaces.set(ns, cached);
    this.#entities.set(entity, cached);
    if (fixed) this.#firstUse(fixed);
    plugins.set(platform.getConfig(), this);
  }

  interceptFindOne(call: FindOneCall<CacheOptions>): Promise<unknown> {
    const cached = this.#entities.get(call.meta.className);
    return cached ? findById(call, cached, this.#access, this.#choice) : call.load();
  }

  /** A snapshot of every cached entity's counters, by entity name. */
  metrics(): Record<string, CacheMetrics> {
    return Object.fromEntries([...this.#entities].map(([name, c]) => [name, { ...c.metrics }]));
  }

  /** Drops one cached entity's entries: every one, or those of the given primary keys (each a list of key values). */
  async clearEntity(entity: string, keys: readonly (readonly unknown[])[] | undefined, em: EntityManager): Promise<void> {
    const cached = this.#entities.get(entity);
    if (!cached) return;
    if (keys === undefined) return this.#invalidateAll(cached, em);
    const meta = em.getMetadata().getByClassName(entity);
    const ids = keys.map(values => cacheKeyOf(meta, values, em.getPlatform())?.id).filter((id): id is string => id !== undefined);
    if (ids.length > 0) await this.#invalidate(cached, ids, em);
  }

  /** The store each cached entity names (`name` of the store), or `selected` when the plugin type chooses one. */
  storeNames(): Record<string, string> {
    return Object.fromEntries([...this.#entities].map(([name, c]) => [name, c.fixed?.name ?? 'selected']));
  }

  /** Empties every store this ORM's entities use. */
  async clear(): Promise<void> {
    for (const store of this.#stores()) await this.#access.clear(store);
  }

  /** Closes the stores the plugin created from names (`'memory'`, URLs); stores you passed or registered stay yours. */
  async close(): Promise<void> {
    for (const store of this.#named.values()) await store.close?.();
    this.#named.clear();
  }

  /** With `pluginOperations()`: `orm.close()` closes the stores the plugin created. */
  onUnload(): Promise<void> {
    return this.close();
  }

  /** Run by `doctor`: every store the ORM's cached entities may use answers (Redis: PING). */
  healthCheck(): Promise<HealthCheckResult> {
    if (this.#entities.size === 0) return Promise.resolve({ ok: true, message: 'no entity uses the cache' });
    return checkStores(this.#stores(), healthOf);
  }

  /** Run by `doctor` per distinct options: the store they name connects (a Redis URL: a new client, PING, closed). */
  testConnection(options: CacheOptions): Promise<HealthCheckResult> {
    const store = options.store;
    if (store === undefined) return checkStores(this.#choice.candidates(), connectionOf);
    if (store === 'memory') return Promise.resolve({ ok: true, message: 'memory store' });
    if (typeof store === 'string') return testStoreUrl(store);
    return checkStores([store], connectionOf);
  }

  @hook('afterCommit')
  dropChanged(entity: object, changes: EntityChanges, ctx: HookContext<CacheOptions>): void | Promise<void> {
    if (changes.kind === 'create') return;
    const cached = this.#entities.get(ctx.meta.className);
    if (!cached) return;
    const key = cacheKeyOf(ctx.meta, ctx.meta.primaryKeys.map(k => (entity as Record<string, unknown>)[k]), ctx.em.getPlatform());
    return key === undefined ? this.#invalidateAll(cached, ctx.em) : this.#invalidate(cached, [key.id], ctx.em);
  }

  /** `em.nativeUpdate` (and soft deletes by `em.nativeDelete`): any row may have changed, so the whole entity type goes, after the commit. */
  @hook('afterBulkUpdate')
  dropAfterBulkUpdate(_entityName: string, _where: unknown, _data: unknown, ctx: HookContext<CacheOptions>): Promise<void> | void {
    return this.#dropAllOnCommit(ctx);
  }

  @hook('afterBulkDelete')
  dropAfterBulkDelete(_entityName: string, _where: unknown, _data: unknown, ctx: HookContext<CacheOptions>): Promise<void> | void {
    return this.#dropAllOnCommit(ctx);
  }

  /** `em.upsert`/`upsertMany` may have merged into existing rows (found by a unique key, not always the primary key). */
  @hook('afterBulkUpsert')
  dropAfterUpsert(_entityName: string, _where: unknown, _data: unknown, ctx: HookContext<CacheOptions>): Promise<void> | void {
    return this.#dropAllOnCommit(ctx);
  }

  #dropAllOnCommit(ctx: HookContext<CacheOptions>): Promise<void> | void {
    const cached = this.#entities.get(ctx.meta.className);
    if (cached) return onCommit(ctx.em, () => this.#invalidateAll(cached, ctx.em));
  }

  async #invalidate(cached: CachedEntity, ids: readonly string[], em: EntityManager): Promise<void> {
    cached.metrics.invalidations += ids.length;
    await Promise.all(this.#choice.forInvalidation(cached, em).map(store => this.#access.invalidate(store, cached.ns, ids, cached.metrics)));
  }

  async #invalidateAll(cached: CachedEntity, em: EntityManager): Promise<void> {
    cached.metrics.invalidations++;
    await Promise.all(this.#choice.forInvalidation(cached, em).map(store => this.#access.invalidateAll(store, cached.ns, cached.metrics)));
  }

  /** Every store the ORM's entities use or may use now. */
  #stores(): CacheStore[] {
    const stores = new Set<CacheStore>();
    let selected = false;
    for (const cached of this.#entities.values()) {
      if (cached.fixed) stores.add(cached.fixed);
      else selected = true;
    }
    if (selected) for (const store of this.#choice.candidates()) stores.add(store);
    return [...stores];
  }

  /** The store a `store` option names; a bad URL fails start-up naming the entity too. */
  #storeNamedFor(entity: string, name: string): CacheStore {
    try {
      return this.#storeNamed(name);
    } catch (error) {
      if (error instanceof PluginConfigError) error.entity ??= entity;
      throw error;
    }
  }

  #storeNamed(name: string): CacheStore {
    let store = this.#named.get(name);
    if (!store) this.#named.set(name, (store = name === 'memory' ? memoryStore() : redisStore({ url: name })));
    return store;
  }

  /** A store an entity starts using: it starts connecting now (not at the first read), and its evictions are counted. */
  #firstUse(store: CacheStore): void {
    try {
      store.open?.();
    } catch {
      // A store that cannot start connecting fails its calls; the plugin reads from the database meanwhile.
    }
    this.#countEvictions(store);
  }

  /** Evictions of a store count on the entity whose namespace lost the entry (a store shared by ORMs counts for the last one). */
  #countEvictions(store: CacheStore): void {
    store.onEvict = ns => {
      const owner = this.#namespaces.get(ns);
      if (owner) owner.metrics.evictions++;
    };
  }
}

/** The cache plugin of an ORM or entity manager, or undefined when no entity uses it. */
export function cachePluginOf(ormOrEm: MikroORM | EntityManager): CachePlugin | undefined {
  if (typeof (ormOrEm as { config?: { get?: unknown } } | null | undefined)?.config?.get !== 'function') throw invalidArgument('cachePluginOf', 'ormOrEm', 'a MikroORM or an EntityManager', ormOrEm);
  return plugins.get(ormOrEm.config);
}
