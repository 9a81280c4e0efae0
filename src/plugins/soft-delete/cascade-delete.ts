import { ReferenceKind, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { currentContext, isPluginActive, managedById, pluginOptions } from '../../core.js';
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
 * the parent's collection, so it finds the parent by its own foreign key as loaded, among this
 * flush's removals, through a relation the parent cascades along.
 */
export function parentDeletion(em: EntityManager, entity: object, meta: EntityMetadata): ParentDeletion | undefined {
  const uow = em.getUnitOfWork();
  const original = uow.getOriginalEntityData(entity) as Row | undefined;
  if (!original) return undefined;
  const removing = uow.getRemoveStack();
  for (const prop of meta.relations) {
    if (!prop.inversedBy || original[prop.name] == null) continue;
    if (prop.kind !== ReferenceKind.MANY_TO_ONE && !(prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) continue;
    const parentMeta = prop.targetMeta!;
    const parentOptions = pluginOptions(em, parentMeta.className, 'softDelete') as SoftDeleteOptions | undefined;
    if (!parentOptions || !cascadeRelations(parentMeta, parentOptions).some(r => r.name === prop.inversedBy)) continue;
    const parent = managedById(em, parentMeta.class, original[prop.name]) as Row | undefined;
    if (!parent || !removing.has(parent)) continue;
    if ((uow.getOriginalEntityData(parent) as Row | undefined)?.[parentOptions.field] != null) return 'alreadyDeleted';
    if (parent[parentOptions.field] == null) continue; // not soft-deleted in this flush (a hard delete marks its rows itself)
    const by = parentOptions.deletedBy === false ? undefined : (parent[parentOptions.deletedBy] as string | null);
    const batch = parentOptions.batchField === false ? newStamp(em).batch : (parent[parentOptions.batchField] as string);
    return { stamp: { batch, at: parent[parentOptions.field] as Date, by: by ?? currentContext(em).actor ?? null } };
  }
  return undefined;
}

/**
 * `softCascade`: loads the live rows of every cascade relation, those not in memory included, and
 * deletes them in the same batch; each then goes through its own `beforeDelete` chain (its policy,
 * `beforeSoftDelete`, and, when it is `softCascade` too, its own children). Rows of entities without
 * an active softDelete are left alone and keep their foreign key.
 */
export async function softDeleteCascade(em: EntityManager, entity: object, meta: EntityMetadata, options: SoftDeleteOptions, stamp: DeletionStamp): Promise<void> {
  const targets: object[] = [];
  for (const prop of cascadeRelations(meta, options)) {
    const target = prop.targetMeta!.className;
    const targetOptions = pluginOptions(em, target, 'softDelete') as SoftDeleteOptions | undefined;
    if (!targetOptions || !isPluginActive(em, 'softDelete', target)) continue;
    // The filter leaves rows deleted earlier alone; the check catches rows stamped earlier in this flush.
    for (const row of await relatedRows(em, entity, prop, {}, {})) if ((row as Row)[targetOptions.field] == null) targets.push(row);
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
