import { EventType, helper, type EntityManager, type EntityMetadata, type EntityName, type FilterOptions } from '@mikro-orm/core';
import { invalidArgument, PluginConfigError } from '../../errors.js';
import { checkEm, checkEntity, UnsupportedOrmError, type EmInternals, type EntityManagerClass, type UowInternals } from './support.js';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

/** The where-condition MikroORM's filters give a read of `entity` under these filter options (`em.applyFilters`). */
export function filterConditions(em: EntityManager, entity: EntityName<any>, filters: FilterOptions, options: object): Promise<object | undefined> {
  checkEm('filterConditions', em);
  checkEntity('filterConditions', em, entity);
  const validFilters = typeof filters === 'boolean' || (Array.isArray(filters) && filters.every(f => typeof f === 'string')) || (typeof filters === 'object' && filters !== null && !Array.isArray(filters));
  if (!validFilters) throw invalidArgument('filterConditions', 'filters', 'filter options (a boolean, a list of filter names or { name: args })', filters);
  if (typeof options !== 'object' || options === null) throw invalidArgument('filterConditions', 'options', 'an object', options);
  // On copies of the arguments: resolving what would apply must not change the read that follows (a
  // filter may record state in its arguments, as softDelete's root-only `onlyDeleted` does).
  return (em as unknown as EmInternals).applyFilters(entity, {}, detached(filters) as FilterOptions, 'read', options);
}

/** A deep copy of plain objects (string and symbol keys); anything else is shared. */
function detached(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(value)) copy[key] = detached((value as Record<PropertyKey, unknown>)[key]);
  return copy;
}

/** Marks a joined relation's filter condition strict: MikroORM then leaves the owner out when the target is filtered away. */
export function markStrict(cond: object): void {
  if (typeof cond !== 'object' || cond === null || !Object.isExtensible(cond)) throw invalidArgument('markStrict', 'cond', 'a condition object (not frozen)', cond);
  Object.defineProperty(cond, '__strict', { value: true, configurable: true });
}

/** Hooks into MikroORM's planning of a read's filter joins (the protected `autoJoinRefsForFilters` and `getJoinedFilters`). */
export interface FilterJoinHooks {
  /** Whether the hooks concern reads of this entity; when not, MikroORM's own promise is handed back untouched. */
  concerns(em: EntityManager, meta: EntityMetadata): boolean;
  afterJoinsPlanned(em: EntityManager, meta: EntityMetadata, options: any): unknown;
  afterJoinedFilters<T>(em: EntityManager, meta: EntityMetadata, options: any, joined: T): T | PromiseLike<T>;
}

/** An EntityManager subclass with the filter-join hooks. */
export function withFilterJoinHooks<T extends EntityManagerClass>(Base: T, hooks: FilterJoinHooks): T {
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager & EmInternals;
  class FilterJoins extends Concrete {
    override autoJoinRefsForFilters(meta: EntityMetadata, options: any, parent?: any): Promise<void> {
      const pending = super.autoJoinRefsForFilters(meta, options, parent);
      return hooks.concerns(this, meta) ? pending.then(async () => void (await hooks.afterJoinsPlanned(this, meta, options))) : pending;
    }

    override getJoinedFilters(meta: EntityMetadata, options: any): Promise<any> {
      const pending = super.getJoinedFilters(meta, options);
      return hooks.concerns(this, meta) ? pending.then(joined => hooks.afterJoinedFilters(this, meta, options, joined)) : pending;
    }
  }
  return FilterJoins as unknown as T;
}

/** What the package reads of a wrapped entity. */
export interface EntityState {
  readonly initialized: boolean;
  /** The EntityManager managing the entity, if any. */
  readonly managedBy: EntityManager | undefined;
  readonly meta: EntityMetadata;
}

export function entityState(entity: object): EntityState {
  if (typeof entity !== 'object' || entity === null || !(entity as { __helper?: unknown }).__helper) {
    throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `entityState: expected an entity (an instance of a discovered entity class), got ${entity === null ? 'null' : typeof entity}`);
  }
  const wrapped = helper(entity) as unknown as { __initialized?: boolean; __managed?: boolean; __em?: EntityManager; __meta?: EntityMetadata };
  if (!wrapped.__meta) throw new UnsupportedOrmError('WrappedEntity#__meta', 'which this version does not set');
  return { initialized: wrapped.__initialized !== false, managedBy: wrapped.__managed ? wrapped.__em : undefined, meta: wrapped.__meta };
}

/** The managed entity with this primary key, loaded or a reference, or undefined. */
export function managedById(em: EntityManager, entity: EntityName<any>, id: unknown, schema?: string): object | undefined {
  checkEm('managedById', em);
  checkEntity('managedById', em, entity);
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || v instanceof Date;
  if (id != null && !scalar(id) && !(Array.isArray(id) && id.every(scalar))) throw invalidArgument('managedById', 'id', 'a primary key (a scalar, or a list of them)', id);
  return (em.getUnitOfWork() as unknown as UowInternals).getById(entity, id, schema) ?? undefined;
}

/**
 * Makes a row read elsewhere (a cache) a managed entity of `em`, as a database load would: identity map,
 * snapshot, and `onLoad` when something listens for it.
 */
export function hydrateLoaded(em: EntityManager, meta: EntityMetadata, row: object, options: { schema?: string; refresh: boolean }): Promise<any> {
  checkEm('hydrateLoaded', em);
  const factory = em.getEntityFactory() as unknown as { create(entity: unknown, data: object, options: object): object };
  const entity = factory.create(meta.class, row, { merge: true, refresh: options.refresh, schema: options.schema, convertCustomTypes: true });
  const uow = em.getUnitOfWork() as unknown as UowInternals;
  if (em.getEventManager().hasListeners(EventType.onLoad, meta)) return uow.dispatchOnLoadEvent().then(() => entity);
  uow.unmarkAsLoaded(entity);
  return Promise.resolve(entity);
}
