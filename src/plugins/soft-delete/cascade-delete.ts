import { LockMode, type EntityManager, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { isPluginActive, pluginOptions } from '../../core.js';
import { cascadeDeleteTo } from './cascade-marks.js';
import { cascadeRelations, relatedRows } from './cascade-relations.js';
import type { DeletionStamp } from './deletion-stamp.js';
import type { SoftDeleteOptions } from './options.js';

type Row = Record<string, unknown>;

// Lifts this plugin's filter only (tenant filters and the like stay on).
const INCLUDING_DELETED = { filters: { softDelete: false } };

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
