import type { EntityManager } from '@mikro-orm/core';
import { findImplementation } from '../../operations/index.js';
import type { CachedEntity } from './cached-entity.js';
import type { StoreAccess } from './store-access.js';
import { CacheStore } from './store.js';

/**
 * Which store an entity uses: the one its options name, else the implementation the `CacheStore`
 * plugin type selects for the ORM (its stored state decides), else, when no implementation is
 * registered at all, the ORM's own memory store. Implementations registered but none active or in
 * reserve: no store, reads go to the database (an in-process store would not see other instances'
 * writes). When the selection changes, the entity types' entries in the newly selected store are
 * dropped first (it missed invalidations while it was disabled); reads meanwhile go to the database.
 */
export class StoreChoice {
  /** undefined: nothing selected yet; null: implementations registered, none selectable. */
  #selected: CacheStore | null | undefined;
  #switching: Promise<void> | undefined;
  /** Every store a type-selected entity has read from in this process: commits keep invalidating them. */
  readonly #used = new Set<CacheStore>();

  constructor(
    private readonly access: StoreAccess,
    /** The ORM's entities that name no store. */
    private readonly selectedEntities: () => readonly CachedEntity[],
    /** The ORM's own memory store, when no implementation is registered. */
    private readonly fallback: () => CacheStore,
    /** Called once for each store an entity starts using (for eviction counts). */
    private readonly onFirstUse: (store: CacheStore) => void,
  ) {}

  /** The store to read from now, or undefined (no store selectable, or a switch under way). */
  forRead(cached: CachedEntity, em: EntityManager): CacheStore | undefined {
    if (cached.fixed) return cached.fixed;
    const chosen = findImplementation(CacheStore, em) ?? (CacheStore.implementations().length === 0 ? this.fallback() : null);
    if (chosen === this.#selected) return this.#switching === undefined ? (chosen ?? undefined) : undefined;
    const first = this.#selected === undefined;
    this.#selected = chosen;
    if (chosen === null) return undefined;
    if (!this.#used.has(chosen)) {
      this.#used.add(chosen);
      this.onFirstUse(chosen);
    }
    if (first) return chosen;
    const switching = Promise.all(this.selectedEntities().map(c => this.access.invalidateAll(chosen, c.ns, c.metrics))).then(() => {
      if (this.#switching === switching) this.#switching = undefined;
    });
    this.#switching = switching;
    return undefined;
  }

  /**
   * Where a commit's invalidation goes: the entity's own store; for a type-selected entity every store
   * it read from in this process and every implementation not disabled (another instance may have
   * switched to it already).
   */
  forInvalidation(cached: CachedEntity, em: EntityManager | undefined): CacheStore[] {
    if (cached.fixed) return [cached.fixed];
    const stores = new Set(this.#used);
    for (const candidate of CacheStore.implementations(em)) if (candidate.status !== 'disabled') stores.add(candidate.implementation);
    return [...stores];
  }

  /** Stores a type-selected entity may use now, for health checks: every implementation not disabled, else the fallback. */
  candidates(): CacheStore[] {
    const stores = new Set(this.#used);
    for (const candidate of CacheStore.implementations()) if (candidate.status !== 'disabled') stores.add(candidate.implementation);
    if (stores.size === 0) stores.add(this.fallback());
    return [...stores];
  }

  /** Every store used so far. */
  used(): readonly CacheStore[] {
    return [...this.#used];
  }
}
