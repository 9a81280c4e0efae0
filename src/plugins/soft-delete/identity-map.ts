import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { entityState, isPluginActive, pluginOptions } from '../../core.js';
import { SOFT_DELETE_FILTER } from './find-options.js';
import type { SoftDeleteOptions } from './options.js';

/** The entity's softDelete options, or undefined when it does not use the plugin. */
export function softDeleteOptionsOf(em: EntityManager, meta: EntityMetadata): SoftDeleteOptions | undefined {
  return pluginOptions(em, meta.className, SOFT_DELETE_FILTER) as SoftDeleteOptions | undefined;
}

/**
 * Whether `findOne` must answer null for `entity`. MikroORM returns an entity it already manages
 * without a query, so one soft-deleted in this context (its field set, flushed or not) would come back
 * although the filter hides its row. Only calls that keep the default filter are concerned: any
 * `filters` option makes MikroORM query (and the database answer), and `filters: false` lifts it.
 */
export function hiddenByIdentityMap(em: EntityManager, entity: object): boolean {
  const meta = entityState(entity).meta;
  const field = softDeleteOptionsOf(em, meta)?.field;
  if (field === undefined || !isPluginActive(em, SOFT_DELETE_FILTER, meta.className)) return false;
  const deleted = (entity as Record<string, unknown>)[field] != null;
  // `em.setFilterParams('softDelete', { only: true })` turns the whole context into a view of deleted rows.
  const only = (em.getFilterParams(SOFT_DELETE_FILTER) as { only?: unknown } | undefined)?.only === true;
  return only ? !deleted : deleted;
}
