import type { EntityManager, EntityName, MikroORM } from '@mikro-orm/core';
import { metadataOf } from '../../core.js';
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

/** Empties every store the ORM's cached entities use (the next reads go to the database). */
export async function clearCache(ormOrEm: MikroORM | EntityManager): Promise<void> {
  await cachePluginOf(ormOrEm)?.clear();
}
