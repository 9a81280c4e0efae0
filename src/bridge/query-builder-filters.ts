import type { EntityManager, EntityMetadata, FilterOptions } from '@mikro-orm/core';
import { findRuntime } from './runtimes.js';
import { pluginFiltersOf } from './query-filter.js';
import { isPromiseLike } from './sync-discovery.js';

/**
 * The conditions of an entity's active plugin filters under these filter options, or undefined when none
 * applies. Synchronous unless a plugin's queryFilter hook is asynchronous.
 */
export function pluginCondition(em: EntityManager, meta: EntityMetadata, filters: FilterOptions | undefined): object | undefined | Promise<object | undefined> {
  if (!findRuntime(em)) return undefined;
  const conditions: object[] = [];
  const pending: Promise<unknown>[] = [];
  for (const { def, args } of pluginFiltersOf(meta, filters)) {
    const cond = def.cond(args, 'read', em, undefined, meta.className);
    if (isPromiseLike(cond)) pending.push(Promise.resolve(cond).then(c => keep(conditions, c)));
    else keep(conditions, cond);
  }
  const combined = () => (conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : { $and: conditions });
  return pending.length > 0 ? Promise.all(pending).then(combined) : combined();
}

function keep(conditions: object[], cond: unknown): void {
  if (cond && typeof cond === 'object' && Reflect.ownKeys(cond).length > 0) conditions.push(cond);
}

