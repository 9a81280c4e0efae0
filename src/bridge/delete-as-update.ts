import type { ChangeSet } from '@mikro-orm/core';
import { checkSettable } from '../chain/chain.js';
import { invalidArgument } from '../errors.js';
import type { HookContext } from '../events.js';

// On the change set: it lives for one flush, so a request never leaks into a later one (a failed flush included).
// A symbol property rather than a WeakMap: a flush may keep thousands of rows, and this is read on each.
const KEPT = Symbol('mikro-orm-plugins:deleteAsUpdate');

type Kept = ChangeSet<any> & { [KEPT]?: true };

/**
 * From a `beforeDelete` hook: keep the row and write `values` instead of deleting it (a soft delete's
 * `deletedAt`). Sets them on the entity and vetoes the delete; return its result (`false`). The row is
 * saved as an update of whatever changed on the entity, with the update hooks, as a plain veto would;
 * the plugin system may write such rows of one flush together, one UPDATE per table and set of values.
 * Only scalar, non-key properties (`MOP_INVALID_ARGUMENT` otherwise, as `ctx.set`).
 */
export function deleteAsUpdate(ctx: HookContext, entity: object, values: Readonly<Record<string, unknown>>): false {
  const cs = ctx?.changeSet;
  if (ctx?.event !== 'beforeDelete' || cs === undefined) throw invalidArgument('deleteAsUpdate', 'ctx', "the context of a flush's beforeDelete hook", ctx);
  if (cs.entity !== entity) throw invalidArgument('deleteAsUpdate', 'entity', 'the entity the beforeDelete hook got', entity);
  if (values === null || typeof values !== 'object') throw invalidArgument('deleteAsUpdate', 'values', 'an object of property values', values);
  for (const property in values) checkSettable(ctx.meta, property);
  Object.assign(entity, values);
  (cs as Kept)[KEPT] = true;
  return false;
}

/** Whether a hook kept this delete's row with `deleteAsUpdate` in this flush. */
export function keptAsUpdate(cs: ChangeSet<any>): boolean {
  return (cs as Kept)[KEPT] === true;
}
