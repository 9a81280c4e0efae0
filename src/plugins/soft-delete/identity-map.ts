import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { findRuntime } from '../../bridge/runtimes.js';
import { entityState } from '../../bridge/orm-internals.js';
import type { PluginRuntime } from '../../bridge/plugin-runtime.js';
import { SOFT_DELETE_FILTER } from './find-options.js';
import type { SoftDeleteOptions } from './options.js';

/** The entity's softDelete options, or undefined when it does not use the plugin. */
export function softDeleteOptionsOf(runtime: PluginRuntime, meta: EntityMetadata): SoftDeleteOptions | undefined {
  return runtime.optionsFor(meta.className, SOFT_DELETE_FILTER) as SoftDeleteOptions | undefined;
}

/** Each entity's softDelete field, or null for entities without the plugin: looked up once per metadata. */
const fields = new WeakMap<EntityMetadata, string | null>();

/** The property holding the deletion time of entities using softDelete, or null. */
export function softDeleteFieldOf(runtime: PluginRuntime, meta: EntityMetadata): string | null {
  let field = fields.get(meta);
  if (field === undefined) {
    field = softDeleteOptionsOf(runtime, meta)?.field ?? null;
    fields.set(meta, field);
  }
  return field;
}

/**
 * Whether `findOne` must answer null for `entity`. MikroORM returns an entity it already manages
 * without a query, so one soft-deleted in this context (its field set, flushed or not) would come back
 * although the filter hides its row. Only calls that keep the default filter are concerned: any
 * `filters` option makes MikroORM query (and the database answer), and `filters: false` lifts it.
 */
export function hiddenByIdentityMap(em: EntityManager, entity: object, options: { filters?: unknown } | undefined): boolean {
  if (options?.filters != null) return false;
  const runtime = findRuntime(em);
  if (!runtime) return false;
  const meta = entityState(entity).meta;
  const field = softDeleteFieldOf(runtime, meta);
  if (field === null || !runtime.isActive(SOFT_DELETE_FILTER, meta.className)) return false;
  const deleted = (entity as Record<string, unknown>)[field] != null;
  // `em.setFilterParams('softDelete', { only: true })` turns the whole context into a view of deleted rows.
  const only = (em.getFilterParams(SOFT_DELETE_FILTER) as { only?: unknown } | undefined)?.only === true;
  return only ? !deleted : deleted;
}
