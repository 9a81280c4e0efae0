import { ChangeSetType, type ChangeSet, type EntityManager } from '@mikro-orm/core';
import type { DeletionStamp } from './deletion-stamp.js';

/** How a delete reached a row: soft, in its parent's batch, or hard (the parent is really deleted). */
export type CascadeMark = { readonly kind: 'soft'; readonly stamp: DeletionStamp } | { readonly kind: 'hard' };

// Keyed by change set: change sets live for one flush, so a mark never leaks into a later one (a failed flush included).
const marks = new WeakMap<ChangeSet<any>, CascadeMark>();

/** The mark a parent left on this delete in the current flush, if any. */
export function markOf(changeSet: ChangeSet<any> | undefined): CascadeMark | undefined {
  return changeSet && marks.get(changeSet);
}

const isDelete = (cs: ChangeSet<any>) => cs.type === ChangeSetType.DELETE || cs.type === ChangeSetType.DELETE_EARLY;

/**
 * Inside the flush (`beforeDelete`): makes sure each target has a DELETE change set (MikroORM made
 * one for those it cascaded to; the others get one now, and the plugin system runs their own
 * `beforeDelete` chain next), and marks it. The first mark a change set gets wins.
 */
export function cascadeDeleteTo(em: EntityManager, targets: readonly object[], mark: CascadeMark): void {
  if (targets.length === 0) return;
  const uow = em.getUnitOfWork();
  const found = deleteChangeSets(uow.getChangeSets(), new Set(targets));
  const missing = targets.filter(t => !found.has(t));
  for (const target of missing) uow.computeChangeSet(target, ChangeSetType.DELETE);
  if (missing.length > 0) for (const [entity, cs] of deleteChangeSets(uow.getChangeSets(), new Set(missing))) found.set(entity, cs);
  for (const cs of found.values()) if (!marks.has(cs)) marks.set(cs, mark);
}

function deleteChangeSets(changeSets: readonly ChangeSet<any>[], wanted: ReadonlySet<object>): Map<object, ChangeSet<any>> {
  const out = new Map<object, ChangeSet<any>>();
  for (const cs of changeSets) if (isDelete(cs) && wanted.has(cs.entity)) out.set(cs.entity, cs);
  return out;
}
