import type { EntityManager, EntityMetadata, FilterOptions } from '@mikro-orm/core';
import { allOf, keepCondition, pluginFiltersOf } from './query-filter.js';
import { isPromiseLike } from './sync-discovery.js';

/**
 * The conditions of an entity's active plugin filters under these filter options, or undefined when none
 * applies. Synchronous unless a plugin's queryFilter hook is asynchronous.
 */
export function pluginCondition(em: EntityManager, meta: EntityMetadata, filters: FilterOptions | undefined): object | undefined | Promise<object | undefined> {
  const conditions: object[] = [];
  const pending: Promise<unknown>[] = [];
  for (const { def, args } of pluginFiltersOf(meta, filters)) {
    const cond = def.cond(args, 'read', em, undefined, meta.className);
    if (isPromiseLike(cond)) pending.push(Promise.resolve(cond).then(c => keepCondition(conditions, c)));
    else keepCondition(conditions, cond);
  }
  return pending.length > 0 ? Promise.all(pending).then(() => allOf(conditions)) : allOf(conditions);
}

