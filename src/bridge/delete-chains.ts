import { ChangeSetType, EventType, ReferenceKind, type ChangeSet, type EntityMetadata, type EntityProperty, type FlushEventArgs } from '@mikro-orm/core';
import { DispatchContext, type Chain } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import { eachSyncUntilAsync } from '../chain/each-sync-until-async.js';
import { keptAsUpdate } from './delete-as-update.js';
import { runEntityEvent } from './event-order.js';
import type { KeptRows } from './kept-rows.js';
import { managedById, markDispatched } from './orm-internals/index.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

type AnyChangeSet = ChangeSet<any>;

/**
 * Runs the whole `beforeDelete` event of every entity about to be deleted whose plugins hook it, here
 * in `onFlush`, because a veto must still be able to turn the delete into an update. The order is
 * MikroORM's: the entity's own hooks, the subscribers registered before the package, the plugin
 * hooks, then (unless a plugin vetoed) the subscribers registered after it; MikroORM does not run
 * the event again at the DELETE. A `false` keeps the row: the delete becomes an update of whatever
 * the hooks changed (a soft delete sets `deletedAt`), and the foreign keys MikroORM nulled in
 * `em.remove()` are put back, so children keep their parent. Rows kept with `deleteAsUpdate` go to
 * `rows`, which writes them itself where it can.
 */
export function runDeleteChains(runtime: PluginRuntime, args: FlushEventArgs, rows?: KeptRows): void | Promise<void> {
  const done = new Set<AnyChangeSet>();
  // A hook may schedule more deletes (a cascading soft delete loads the children): those run too, until none is left.
  const pending = () => args.uow.getChangeSets().filter(cs => (cs.type === ChangeSetType.DELETE || cs.type === ChangeSetType.DELETE_EARLY) && !done.has(cs));
  let deletes = pending();
  if (deletes.length === 0) return;
  const vetoed: AnyChangeSet[] = [];
  const skip = switchedOffPlugins();
  const flush = {};
  const runOne = (cs: AnyChangeSet): void | Promise<void> => {
    done.add(cs);
    const chains = runtime.chainsOf(cs.meta);
    if (!chains) return;
    // MikroORM drops the snapshot of deleted entities; afterChange and afterDelete still want it.
    cs.originalEntity ??= args.uow.getOriginalEntityData(cs.entity) as never;
    if (chains.beforeDelete === null) return;
    const result = deleteEvent(chains.beforeDelete, args, cs, skip, flush);
    if (result === false || (result === undefined && keptAsUpdate(cs))) vetoed.push(cs);
    else if (result instanceof Promise) {
      return result.then(outcome => {
        if (outcome === false || keptAsUpdate(cs)) vetoed.push(cs);
      });
    }
  };
  // Sync until a listener returns a promise, like the dispatcher.
  const runRound = (): void | Promise<void> => {
    const round = eachSyncUntilAsync(deletes, runOne);
    return round === undefined ? nextRound() : round.then(nextRound);
  };
  const nextRound = (): void | Promise<void> => {
    deletes = pending();
    if (deletes.length > 0) return runRound();
    keepVetoed(args, vetoed, rows);
  };
  return runRound();
}

/** A `beforeDelete` hook's context: the only one that carries the flush (`ctx.flush`). */
class DeleteContext extends DispatchContext {
  constructor(em: FlushEventArgs['em'], cs: AnyChangeSet, skip: ReadonlySet<string> | undefined, readonly flush: object) {
    super('beforeDelete', em, cs.meta, cs, skip);
  }
}

/** One entity's `beforeDelete` event, in MikroORM's order with the plugin chain at the package's place; `false` when vetoed. */
function deleteEvent(chain: Chain<true>, { em }: FlushEventArgs, cs: AnyChangeSet, skip: ReadonlySet<string> | undefined, flush: object): void | false | Promise<void | false> {
  const plugins = () => dispatch(chain, new DeleteContext(em, cs, skip, flush), cs.entity);
  // No entity hook or subscriber of the event (MikroORM's cached answer): MikroORM would dispatch nothing at the DELETE either.
  if (!em.getEventManager().hasListeners(EventType.beforeDelete, cs.meta)) return plugins();
  markDispatched(em, EventType.beforeDelete, cs);
  const args = { entity: cs.entity, meta: cs.meta, em, changeSet: cs };
  return runEntityEvent(em, EventType.beforeDelete, args, plugins);
}

function keepVetoed({ em, uow }: FlushEventArgs, vetoed: AnyChangeSet[], rows: KeptRows | undefined): void {
  if (vetoed.length === 0) return;
  let kept: Set<object> | undefined;
  for (const cs of uow.getChangeSets()) {
    if (!ownsToOne(cs.meta)) continue;
    kept ??= new Set<object>(vetoed.map(vetoedCs => vetoedCs.entity));
    if (cs.type === ChangeSetType.UPDATE || kept.has(cs.entity)) restoreReferences(em, uow, cs, kept);
  }
  for (const cs of vetoed) {
    if (rows !== undefined && keptAsUpdate(cs) && rows.take(cs)) continue;
    cs.type = ChangeSetType.UPDATE;
    cs.payload = {};
    uow.recomputeSingleChangeSet(cs.entity);
  }
}

/** Puts back owning references to kept entities that `em.remove()` stripped, and drops them from the payload. */
function restoreReferences(em: FlushEventArgs['em'], uow: FlushEventArgs['uow'], cs: AnyChangeSet, kept: Set<object>): void {
  const original = uow.getOriginalEntityData(cs.entity) as Record<string, unknown> | undefined;
  if (!original) return;
  for (const prop of cs.meta.relations as EntityProperty[]) {
    if (!isOwningToOne(prop)) continue;
    const before = original[prop.name];
    if (before == null || cs.entity[prop.name] != null) continue;
    const target = managedById(em, prop.targetMeta!.class, before);
    if (!target || !kept.has(target)) continue;
    cs.entity[prop.name] = prop.ref ? em.getReference(prop.targetMeta!.class, before as never, { wrapped: true }) : target;
    delete (cs.payload as Record<string, unknown>)[prop.name];
  }
}

// Per class: most have no owning to-one relation, and then no change set of theirs needs looking at.
const owningToOne = new WeakMap<EntityMetadata, boolean>();

function ownsToOne(meta: EntityMetadata): boolean {
  let owns = owningToOne.get(meta);
  if (owns === undefined) owningToOne.set(meta, (owns = (meta.relations as EntityProperty[]).some(isOwningToOne)));
  return owns;
}

function isOwningToOne(prop: EntityProperty): boolean {
  return prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner === true);
}
