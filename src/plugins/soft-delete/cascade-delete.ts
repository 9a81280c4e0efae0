import { Collection, LockMode, ReferenceKind, type EntityManager, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { currentContext, isPluginActive, managedById, metadataOf, pluginOptions } from '../../core.js';
import { cascadeDeleteTo } from './cascade-marks.js';
import { cascadeRelations, relatedRows } from './cascade-relations.js';
import { newStamp, type DeletionStamp } from './deletion-stamp.js';
import type { SoftDeleteOptions } from './options.js';

type Row = Record<string, unknown>;

// Lifts this plugin's filter only (tenant filters and the like stay on).
const INCLUDING_DELETED = { filters: { softDelete: false } };

/** How the parent a row was cascaded from is being deleted: in a batch of this flush, or not at all (it was already). */
export type ParentDeletion = { readonly stamp: DeletionStamp } | 'alreadyDeleted';

/**
 * For a row MikroORM cascaded `em.remove()` to (loaded, along a `Cascade.Remove` relation): the
 * parent's batch, which it joins, or `alreadyDeleted` when the parent was deleted before, so that
 * removing a deleted row changes nothing below it either. MikroORM has by then cut the row out of
 * a one-to-many collection of the parent, so it finds the parent among this flush's removals by its
 * own foreign key as loaded, or by the parent's loaded many-to-many collection that holds it.
 */
export function parentDeletion(em: EntityManager, entity: object, meta: EntityMetadata): ParentDeletion | undefined {
  const uow = em.getUnitOfWork();
  const original = uow.getOriginalEntityData(entity) as Row | undefined;
  if (!original) return undefined;
  for (const { parent, options } of cascadingParents(em, entity, meta, original)) {
    if ((uow.getOriginalEntityData(parent) as Row | undefined)?.[options.field] != null) return 'alreadyDeleted';
    if (parent[options.field] == null) continue; // not soft-deleted in this flush (a hard delete marks its rows itself)
    const by = options.deletedBy === false ? undefined : (parent[options.deletedBy] as string | null);
    const batch = options.batchField === false ? newStamp(em).batch : (parent[options.batchField] as string);
    return { stamp: { batch, at: parent[options.field] as Date, by: by ?? currentContext(em).actor ?? null } };
  }
  return undefined;
}

interface CascadingParent {
  readonly parent: Row;
  readonly options: SoftDeleteOptions;
}

/** The entities being removed in this flush that cascade to `entity`. */
function* cascadingParents(em: EntityManager, entity: object, meta: EntityMetadata, original: Row): Generator<CascadingParent> {
  const removing = em.getUnitOfWork().getRemoveStack();
  const cascading = (parentMeta: EntityMetadata) => {
    const options = pluginOptions(em, parentMeta.className, 'softDelete') as SoftDeleteOptions | undefined;
    return options && { options, relations: cascadeRelations(parentMeta, options) };
  };
  for (const prop of meta.relations) {
    if (!prop.inversedBy || original[prop.name] == null) continue;
    if (prop.kind !== ReferenceKind.MANY_TO_ONE && !(prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) continue;
    const found = cascading(prop.targetMeta!);
    if (!found?.relations.some(r => r.name === prop.inversedBy)) continue;
    const parent = managedById(em, prop.targetMeta!.class, original[prop.name]) as Row | undefined;
    if (parent && removing.has(parent)) yield { parent, options: found.options };
  }
  for (const parent of removing) {
    if (parent === entity) continue;
    const found = cascading(metadataOf(em, parent));
    for (const prop of found?.relations ?? []) {
      if (prop.kind !== ReferenceKind.MANY_TO_MANY) continue;
      const items = (parent as Row)[prop.name];
      if (items instanceof Collection && items.isInitialized() && items.contains(entity, false)) yield { parent: parent as Row, options: found!.options };
    }
  }
}

/**
 * `softCascade`: loads the live rows of every cascade relation, those not in memory included, and
 * deletes them in the same batch; each then goes through its own `beforeDelete` chain (its policy,
 * `beforeSoftDelete`, and, when it is `softCascade` too, its own children). Rows of entities without
 * an active softDelete are left alone and keep their foreign key.
 */
export async function softDeleteCascade(em: EntityManager, entity: object, meta: EntityMetadata, options: SoftDeleteOptions, stamp: DeletionStamp): Promise<void> {
  const relations: { prop: EntityProperty; field: string }[] = [];
  for (const prop of cascadeRelations(meta, options)) {
    const target = prop.targetMeta!.className;
    const targetOptions = pluginOptions(em, target, 'softDelete') as SoftDeleteOptions | undefined;
    if (targetOptions && isPluginActive(em, 'softDelete', target)) relations.push({ prop, field: targetOptions.field });
  }
  if (relations.length === 0) return;
  // In the flush's transaction: a child another transaction is inserting holds a key-share lock on
  // this row, so it commits first and is read; one inserted later waits for this commit.
  if (em.isInTransaction()) await em.lock(entity, LockMode.PESSIMISTIC_WRITE);
  const targets: object[] = [];
  for (const { prop, field } of relations) {
    // The filter leaves rows deleted earlier alone; the check catches rows stamped earlier in this flush.
    for (const row of await relatedRows(em, entity, prop, {}, {})) if ((row as Row)[field] == null) targets.push(row);
  }
  cascadeDeleteTo(em, targets, { kind: 'soft', stamp });
}

/**
 * A hard delete takes every row of the cascade relations with it, soft-deleted ones included (the
 * filter would hide them and the database would refuse, or null, their foreign key).
 */
export function hardDeleteCascade(em: EntityManager, entity: object, meta: EntityMetadata, options: SoftDeleteOptions): void | Promise<void> {
  const relations = cascadeRelations(meta, options);
  if (relations.length === 0) return;
  return (async () => {
    const targets: object[] = [];
    for (const prop of relations) targets.push(...(await relatedRows(em, entity, prop, {}, INCLUDING_DELETED)));
    cascadeDeleteTo(em, targets, { kind: 'hard' });
  })();
}
