import type { EntityManager, EntityName, MikroORM } from '@mikro-orm/core';
import { invalidArgument, metadataOf } from '../../core.js';
import { emptyMetrics, type CacheMetrics } from './metrics.js';
import { cachePluginOf } from './plugin.js';

/**
 * The cache counters of an ORM: every cached entity's, by entity name, or one entity's.
 * Entities that do not use the cache have none (`{}`, or zeroes for one entity).
 */
export function cacheMetrics(ormOrEm: MikroORM | EntityManager): Record<string, CacheMetrics>;
export function cacheMetrics(ormOrEm: MikroORM | EntityManager, entity: EntityName<any> | string): CacheMetrics;
export function cacheMetrics(ormOrEm: MikroORM | EntityManager, entity?: EntityName<any> | string): Record<string, CacheMetrics> | CacheMetrics {
  const all = cachePluginOf(ormOrEm)?.metrics() ?? {};
  if (entity === undefined) return all;
  const em = 'em' in ormOrEm ? ormOrEm.em : ormOrEm;
  return all[metadataOf(em, entity).className] ?? emptyMetrics();
}

/**
 * Empties every store the ORM's cached entities use (the next reads go to the database); with a
 * target, only one entity's entries: `clearCache(orm, { entity: Author })`, or one row's:
 * `clearCache(orm, { entity: Author, id: 42 })` (composite keys as a list). An entity without the cache has nothing to clear.
 */
export async function clearCache(ormOrEm: MikroORM | EntityManager, target?: { entity: EntityName<any> | string; id?: unknown }): Promise<void> {
  const plugin = cachePluginOf(ormOrEm);
  if (target === undefined) return plugin?.clear();
  if (typeof target !== 'object' || target === null || Array.isArray(target)) throw invalidArgument('clearCache', 'target', 'an object { entity, id }', target);
  const em = 'em' in ormOrEm ? ormOrEm.em : ormOrEm;
  const meta = metadataOf(em, target.entity);
  if (target.id !== undefined) {
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'bigint' || (typeof v === 'number' && Number.isFinite(v));
    const values = Array.isArray(target.id) ? target.id : [target.id];
    if (values.length !== meta.primaryKeys.length || !values.every(scalar)) throw invalidArgument('clearCache', 'target.id', `a primary key of ${meta.className}`, target.id);
  }
  await plugin?.clearEntity(meta.className, target.id === undefined ? undefined : [Array.isArray(target.id) ? target.id : [target.id]], em);
}

/** The store each cached entity names (the store's `name`), or `selected` where the `CacheStore` plugin type chooses one. */
export function cacheStores(ormOrEm: MikroORM | EntityManager): Record<string, string> {
  return cachePluginOf(ormOrEm)?.storeNames() ?? {};
}
