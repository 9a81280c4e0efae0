import {
  QueryHelper,
  ReferenceKind,
  Utils,
  type EntityManager,
  type EntityMetadata,
  type EntityProperty,
  type FilterOptions,
  type PopulateOptions,
} from '@mikro-orm/core';
import { PluginOptionsError, isPluginActive, markStrict } from '../../core.js';
import { declaredProperty } from './declared-property.js';
import { SOFT_DELETE_FILTER } from './find-options.js';
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

interface TargetRelation {
  readonly prop: EntityProperty;
  readonly mode: DeletedTargetMode;
}

type OptionsOf = (meta: EntityMetadata) => unknown;

/** Per entity: its to-one relations to entities using softDelete, with their mode. Computed when the chains are built. */
const relationsOf = new WeakMap<EntityMetadata, readonly TargetRelation[]>();

function targetRelations(meta: EntityMetadata, optionsOf: OptionsOf): readonly TargetRelation[] {
  const options = (target: EntityMetadata) => optionsOf(target) as SoftDeleteOptions | undefined;
  const modes = options(meta)?.deletedTargets ?? {};
  return (
    meta.relations
      .filter(prop => TO_ONE.includes(prop.kind) && !prop.polymorphic && prop.targetMeta && options(prop.targetMeta) !== undefined)
      // An owner's own choice, else the target's `referrers`.
      .map(prop => ({ prop, mode: modes[prop.name] ?? options(prop.targetMeta!)?.referrers ?? 'null' }))
  );
}

/** `appliesTo` of the join hooks: entities with a to-one relation to a soft-deletable entity (remembered for the hooks). */
export function reachesDeletedTargets(meta: EntityMetadata, optionsOf: OptionsOf): boolean {
  const relations = targetRelations(meta, optionsOf);
  relationsOf.set(meta, relations);
  return relations.length > 0;
}

/** Whether this read applies the softDelete filter to the relation's target. */
function filtersTarget(em: EntityManager, prop: EntityProperty, filters: FilterOptions | undefined): boolean {
  const merged = QueryHelper.mergePropertyFilters(prop.filters, filters);
  if (merged === false) return false;
  if (Utils.isPlainObject(merged) && (merged as Record<string, unknown>)[SOFT_DELETE_FILTER] === false) return false;
  return isPluginActive(em, SOFT_DELETE_FILTER, prop.targetMeta!.className);
}

/**
 * After MikroORM planned the joins of one entity's populate hints (`autoJoinRefsForFilters`): NOT NULL
 * relations in `null` mode are joined with a LEFT JOIN, so their owners stay. A join type you set
 * yourself (`populateHints`) is kept.
 */
export function keepOwnersOfDeletedTargets(em: EntityManager, meta: EntityMetadata, options: { populate?: unknown; filters?: unknown }): void {
  const relations = relationsOf.get(meta) ?? [];
  if (!Array.isArray(options.populate) || relations.length === 0) return;
  for (const hint of options.populate as PopulateOptions<any>[]) {
    if (!hint.filter || hint.joinType !== undefined) continue;
    const name = hint.field.split(':')[0];
    const relation = relations.find(r => r.prop.name === name);
    if (relation?.mode === 'null' && !relation.prop.nullable && filtersTarget(em, relation.prop, options.filters as FilterOptions)) hint.joinType = 'left join';
  }
}

/**
 * After MikroORM built the ON conditions of one entity's joined relations (`getJoinedFilters`): the
 * condition of each relation in `hide` mode is marked strict, MikroORM's own marker for `strict`
 * filters, so the owner is left out when the target row is filtered away.
 */
export function hideOwnersOfDeletedTargets(em: EntityManager, meta: EntityMetadata, filters: unknown, joined: Readonly<Record<string, unknown>>): void {
  for (const { prop, mode } of relationsOf.get(meta) ?? []) {
    const cond = joined[prop.name];
    if (mode !== 'hide' || cond === null || typeof cond !== 'object' || !filtersTarget(em, prop, filters as FilterOptions)) continue;
    markStrict(cond);
  }
}
