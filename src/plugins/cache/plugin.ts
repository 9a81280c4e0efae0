import { type EntityManager, type EntityMetadata, type MikroORM } from '@mikro-orm/core';
import { onCommit, runtimeOf } from '../../bridge/extension.js';
import { PluginConfigError } from '../../errors.js';
import type { EntityChanges, HookContext } from '../../events.js';
import type { Plugin, SetupContext } from '../../plugin-api.js';
import { hook } from '../../registry/hook-decorator.js';
import { plugin } from '../../registry/plugin-decorator.js';
import { memoryStore } from './memory-store.js';
import { emptyMetrics, type CacheMetrics } from './metrics.js';
import { cacheDefaults, validateCacheOptions, type CacheOptions } from './options.js';
import { redisStore } from './redis-store.js';
import type { CachedRow, CacheRead, CacheStore } from './store.js';

/** What the plugin keeps per cached entity. */
export interface CachedEntity {
  readonly entity: string;
  readonly ns: string;
  readonly ttlMs: number;
  readonly store: CacheStore;
  readonly metrics: CacheMetrics;
}

/**
 * A second-level entity cache: `em.findOne(Entity, pk)`, `findOneOrFail` and reference loads by
 * primary key are answered from the store (src/plugins/cache/find-by-id.ts); writes drop the entry
 * after they commit (`afterCommit`, and `onCommit` for native bulk writes), and every entry carries
 * the generation stamp its read started under, so a fill that raced a write is never served.
 */
@plugin({
  name: 'cache',
  version: '1.0.0',
  description: 'Second-level entity cache for findOne by primary key: memory LRU or Redis, dropped after each commit.',
  options: { defaults: cacheDefaults, validate: validateCacheOptions },
})
export class CachePlugin implements Plugin<CacheOptions> {
  readonly #entities = new Map<string, CachedEntity>();
  readonly #stores = new Map<string, CacheStore>();
  /** Per store: namespace → entity, so two entities never share keys; and namespace → metrics for evictions. */
  readonly #namespaces = new Map<CacheStore, Map<string, CachedEntity>>();
  /** Stores that failed and have not answered since: warned once per outage. */
  readonly #down = new Set<CacheStore>();
  /** Invalidations a failing store missed, replayed before it is trusted again (`true`: the whole namespace). */
  readonly #missed = new Map<CacheStore, Map<string, Set<string> | true>>();
  /** Where the one warning per outage goes. */
  warn: (message: string) => void = message => console.warn(message);

  setupEntity(meta: EntityMetadata, { options }: SetupContext<CacheOptions>): void {
    const entity = meta.className;
    const store = this.#storeOf(options.store);
    const ns = options.prefix ?? entity;
    let namespaces = this.#namespaces.get(store);
    if (!namespaces) {
      this.#namespaces.set(store, (namespaces = new Map()));
      store.onEvict = evicted => {
        const owner = namespaces!.get(evicted);
        if (owner) owner.metrics.evictions++;
      };
    }
    const taken = namespaces.get(ns);
    if (taken && taken.entity !== entity) {
      throw new PluginConfigError('MOP_CACHE_PREFIX_TAKEN', `Entities '${taken.entity}' and '${entity}' use the same cache prefix '${ns}' in one store; give each its own`, {
        plugin: 'cache',
        entity,
        option: 'prefix',
      });
    }
    const cached: CachedEntity = { entity, ns, ttlMs: Math.round(options.ttl * 1000), store, metrics: taken?.metrics ?? emptyMetrics() };
    namespaces.set(ns, cached);
    this.#entities.set(entity, cached);
  }

  /** The cache settings of an entity, or undefined when it does not use the plugin. */
  entity(className: string): CachedEntity | undefined {
    return this.#entities.get(className);
  }

  /** A snapshot of every cached entity's counters, by entity name. */
  metrics(): Record<string, CacheMetrics> {
    return Object.fromEntries([...this.#entities].map(([name, c]) => [name, { ...c.metrics }]));
  }

  /** Empties every store this ORM's entities use. */
  async clear(): Promise<void> {
    for (const store of new Set([...this.#entities.values()].map(c => c.store))) await this.#call(store, () => store.clear(), undefined);
  }

  /** Closes the stores the plugin created from names (`'memory'`, URLs); stores you passed stay yours. */
  async close(): Promise<void> {
    for (const store of this.#stores.values()) await store.close?.();
    this.#stores.clear();
  }

  @hook('afterCommit')
  dropChanged(entity: object, changes: EntityChanges, ctx: HookContext<CacheOptions>): void | Promise<void> {
    if (changes.kind === 'create') return;
    const cached = this.#entities.get(ctx.meta.className);
    if (!cached) return;
    const id = serializeId(ctx.meta.primaryKeys.map(k => (entity as Record<string, unknown>)[k]), ctx.meta);
    return id === undefined ? this.invalidateAll(cached) : this.invalidate(cached, [id]);
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
    if (cached) return onCommit(ctx.em, () => this.invalidateAll(cached));
  }

  async invalidate(cached: CachedEntity, ids: readonly string[]): Promise<void> {
    cached.metrics.invalidations += ids.length;
    const { store, ns } = cached;
    const done = await this.#call(store, () => store.invalidate(ns, ids), cached);
    if (!done.ok) this.#remember(store, ns, ids);
  }

  async invalidateAll(cached: CachedEntity): Promise<void> {
    cached.metrics.invalidations++;
    const { store, ns } = cached;
    const done = await this.#call(store, () => store.invalidateAll(ns), cached);
    if (!done.ok) this.#remember(store, ns, true);
  }

  /** The stamp and entry, or undefined when the store cannot be trusted now (down, or missed invalidations not yet replayed). */
  async read(cached: CachedEntity, id: string, variant: string): Promise<CacheRead | undefined> {
    const { store, ns } = cached;
    if (this.#missed.has(store) && !(await this.#replay(store))) return undefined;
    const done = await this.#call(store, () => store.read(ns, id, variant), cached);
    return done.ok ? done.value : undefined;
  }

  async fill(cached: CachedEntity, id: string, variant: string, stamp: string, row: CachedRow): Promise<void> {
    const { store, ns } = cached;
    const done = await this.#call(store, () => store.fill(ns, id, variant, stamp, row, cached.ttlMs), cached);
    if (done.ok && done.value) cached.metrics.sets++;
  }

  /** Runs a store call; a failure is counted and warned about once per outage, never thrown. */
  async #call<T>(store: CacheStore, fn: () => T | Promise<T>, cached?: CachedEntity): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      const value = await fn();
      this.#down.delete(store);
      return { ok: true, value };
    } catch (error) {
      if (cached) cached.metrics.errors++;
      if (!this.#down.has(store)) {
        this.#down.add(store);
        this.warn(`mikro-orm-plugins: cache store '${store.name}' failed (${(error as Error)?.message ?? error}); reading from the database until it answers again`);
      }
      return { ok: false };
    }
  }

  #remember(store: CacheStore, ns: string, ids: readonly string[] | true): void {
    let missed = this.#missed.get(store);
    if (!missed) this.#missed.set(store, (missed = new Map()));
    const known = missed.get(ns);
    if (ids === true || known === true || (known?.size ?? 0) + ids.length > 1000) missed.set(ns, true);
    else missed.set(ns, new Set([...(known ?? []), ...ids]));
  }

  /** Replays the invalidations a store missed; true when it is clean again. */
  async #replay(store: CacheStore): Promise<boolean> {
    const missed = this.#missed.get(store);
    if (!missed) return true;
    try {
      for (const [ns, ids] of missed) {
        await (ids === true ? store.invalidateAll(ns) : store.invalidate(ns, [...ids]));
        missed.delete(ns);
      }
      this.#missed.delete(store);
      this.#down.delete(store);
      return true;
    } catch {
      return false;
    }
  }

  #storeOf(setting: CacheOptions['store']): CacheStore {
    if (typeof setting !== 'string') return setting;
    let store = this.#stores.get(setting);
    if (!store) this.#stores.set(setting, (store = setting === 'memory' ? memoryStore() : redisStore({ url: setting })));
    return store;
  }
}

/** The serialized primary key: the value itself for one column, a JSON array for composite keys; undefined for anything else. */
export function serializeId(values: readonly unknown[], meta: EntityMetadata): string | undefined {
  if (values.length !== meta.primaryKeys.length || values.length === 0) return undefined;
  const parts: string[] = [];
  for (const value of values) {
    if (typeof value === 'number' || typeof value === 'bigint') parts.push(String(value));
    else if (typeof value === 'string') parts.push(value);
    else return undefined;
  }
  return parts.length === 1 ? parts[0] : JSON.stringify(parts);
}

/** The cache plugin of an ORM or entity manager, or undefined when no entity uses it. */
export function cachePluginOf(ormOrEm: MikroORM | EntityManager): CachePlugin | undefined {
  const instance = runtimeOf(ormOrEm).instanceOf('cache');
  return instance instanceof CachePlugin ? instance : undefined;
}
