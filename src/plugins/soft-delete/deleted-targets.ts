import {
  EntitySchema,
  MetadataStorage,
  QueryHelper,
  ReferenceKind,
  Utils,
  type EntityManager,
  type EntityMetadata,
  type EntityProperty,
  type FilterOptions,
  type PopulateOptions,
} from '@mikro-orm/core';
import { findRuntime } from '../../bridge/runtimes.js';
import { markStrict } from '../../bridge/orm-internals.js';
import type { PluginRuntime } from '../../bridge/plugin-runtime.js';
import { PluginOptionsError } from '../../errors.js';
import { SOFT_DELETE_FILTER } from './find-options.js';
import { softDeleteFieldOf, softDeleteOptionsOf } from './identity-map.js';
import type { DeletedTargetMode, SoftDeleteOptions } from './options.js';

// How a read treats a to-one relation whose target row is soft-deleted (the `deletedTargets` option).
//
// MikroORM joins every filtered to-one target (`autoJoinRefsForFilters`) with the filter in the ON
// clause: a LEFT JOIN for a nullable foreign key (the relation hydrates to null) but an INNER JOIN
// for a NOT NULL one, so children of a soft-deleted parent vanish from find and count. In `null`
// mode (the default, for every owner) the join of a NOT NULL key becomes a LEFT JOIN as well. In
// `hide` mode the relation's filter condition is marked strict, as MikroORM's `strict` filters are:
// the owner is left out when its target is hidden, and kept when the key is null.

const TO_ONE: readonly ReferenceKind[] = [ReferenceKind.MANY_TO_ONE, ReferenceKind.ONE_TO_ONE];

/** Start-up check of `deletedTargets`: each name must be a to-one relation of the entity. */
export function checkDeletedTargets(meta: EntityMetadata, targets: SoftDeleteOptions['deletedTargets']): void {
  for (const relation of Object.keys(targets)) {
    const prop = declaredProperty(meta, relation);
    if (prop && TO_ONE.includes(prop.kind)) continue;
    throw new PluginOptionsError({
      plugin: SOFT_DELETE_FILTER,
      entity: meta.className,
      option: `deletedTargets.${relation}`,
      expected: `a many-to-one or one-to-one relation of ${meta.className}`,
      received: prop ? `a ${prop.kind} property` : 'no such property',
    });
  }
}

/** A property of the entity or of a base it extends; at discovery, inherited ones are not copied in yet. */
function declaredProperty(meta: EntityMetadata, name: string): EntityProperty | undefined {
  if (meta.properties[name as never]) return meta.properties[name as never];
  const base = meta.extends;
  if (base instanceof EntitySchema) return declaredProperty(base.meta, name);
  for (let cls = meta.class && Object.getPrototypeOf(meta.class); typeof cls === 'function' && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
    if (!Object.hasOwn(cls, MetadataStorage.PATH_SYMBOL)) continue; // not decorated
    const found = MetadataStorage.getMetadata(cls.name, cls[MetadataStorage.PATH_SYMBOL], cls).properties[name];
    if (found) return found as EntityProperty;
  }
  return undefined;
}

interface TargetRelation {
  readonly prop: EntityProperty;
  readonly mode: DeletedTargetMode;
}

/** Per entity: its to-one relations to entities using softDelete, with their mode. Computed once. */
const relationsOf = new WeakMap<EntityMetadata, readonly TargetRelation[]>();

function targetRelations(runtime: PluginRuntime, meta: EntityMetadata): readonly TargetRelation[] {
  let found = relationsOf.get(meta);
  if (found === undefined) {
    const modes = softDeleteOptionsOf(runtime, meta)?.deletedTargets ?? {};
    found = meta.relations
      .filter(prop => TO_ONE.includes(prop.kind) && !prop.polymorphic && prop.targetMeta && softDeleteFieldOf(runtime, prop.targetMeta) !== null)
      // An owner's own choice, else the target's `referrers`.
      .map(prop => ({ prop, mode: modes[prop.name] ?? softDeleteOptionsOf(runtime, prop.targetMeta!)?.referrers ?? 'null' }));
    relationsOf.set(meta, found);
  }
  return found;
}

/** Whether this read applies the softDelete filter to the relation's target. */
function filtersTarget(runtime: PluginRuntime, prop: EntityProperty, filters: FilterOptions | undefined): boolean {
  const merged = QueryHelper.mergePropertyFilters(prop.filters, filters);
  if (merged === false) return false;
  if (Utils.isPlainObject(merged) && (merged as Record<string, unknown>)[SOFT_DELETE_FILTER] === false) return false;
  return runtime.isActive(SOFT_DELETE_FILTER, prop.targetMeta!.className);
}

/** Whether some to-one relation of the entity reaches a soft-deletable target (then reads need the hooks below). */
export function hasDeletedTargets(em: EntityManager, meta: EntityMetadata | undefined): boolean {
  const runtime = meta && findRuntime(em);
  return runtime !== undefined && targetRelations(runtime, meta!).length > 0;
}

/**
 * After MikroORM planned the joins of one entity's populate hints (`autoJoinRefsForFilters`): NOT NULL
 * relations in `null` mode are joined with a LEFT JOIN, so their owners stay. A join type you set
 * yourself (`populateHints`) is kept.
 */
export function keepOwnersOfDeletedTargets(em: EntityManager, meta: EntityMetadata | undefined, options: { populate?: unknown; filters?: FilterOptions }): void {
  const runtime = meta && findRuntime(em);
  if (!runtime || !Array.isArray(options.populate)) return;
  const relations = targetRelations(runtime, meta!);
  if (relations.length === 0) return;
  for (const hint of options.populate as PopulateOptions<any>[]) {
    if (!hint.filter || hint.joinType !== undefined) continue;
    const name = hint.field.split(':')[0];
    const relation = relations.find(r => r.prop.name === name);
    if (relation?.mode === 'null' && !relation.prop.nullable && filtersTarget(runtime, relation.prop, options.filters)) hint.joinType = 'left join';
  }
}

/**
 * After MikroORM built the ON conditions of one entity's joined relations (`getJoinedFilters`): the
 * condition of each relation in `hide` mode is marked strict, MikroORM's own marker for `strict`
 * filters, so the owner is left out when the target row is filtered away.
 */
export function hideOwnersOfDeletedTargets<T>(em: EntityManager, meta: EntityMetadata, options: { filters?: FilterOptions }, joined: T): T {
  const runtime = joined && findRuntime(em);
  if (!runtime) return joined;
  for (const { prop, mode } of targetRelations(runtime, meta)) {
    const cond = (joined as Record<string, unknown>)[prop.name];
    if (mode !== 'hide' || cond === null || typeof cond !== 'object' || !filtersTarget(runtime, prop, options.filters)) continue;
    markStrict(cond);
  }
  return joined;
}
