import { ChangeSetType, type ChangeSet, type EntityManager, type EntityMetadata, type EventSubscriber, type FlushEventArgs, type TransactionEventArgs } from '@mikro-orm/core';
import { DispatchContext, type Chain } from '../chain/chain.js';
import { dispatch, dispatchBatch } from '../chain/dispatch.js';
import type { ChangeKind, EntityChanges } from '../events.js';
import type { AfterBatchEvent, BatchPlan } from './batch-plan.js';
import { isSavepoint, type CommitQueue } from './commit-queue.js';
import { entityChanges } from './entity-changes.js';
import { commitOrder } from './orm-internals/index.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

type AnyChangeSet = ChangeSet<any>;

/** The flushes between `onFlush` and their end, by entity manager: whether the flush opens its own transaction. */
const flushing = new WeakMap<EntityManager, boolean>();

/**
 * Called from `onFlush`: this flush's batched after-hooks run once its writes are done, still inside
 * its transaction: at the commit of the transaction the flush opens (MikroORM's own condition), or,
 * when the flush runs in the caller's transaction or in none, at `afterFlush`.
 */
export function markFlush(em: EntityManager): void {
  flushing.set(em, !em.isInTransaction() && em.getPlatform().supportsTransactions() && em.config.get('implicitTransactions'));
}

/**
 * The subscriber that runs the batched after-hooks. It comes first among all subscribers, so every
 * subscriber's `beforeTransactionCommit` and `afterFlush` (the audit log's row writer, say) sees
 * every after-hook done, as after a flush that dispatched them per entity.
 */
export function flushEndSubscriber(runtime: PluginRuntime, commits: CommitQueue, plan: BatchPlan): EventSubscriber {
  return {
    beforeTransactionCommit({ em, transaction }: TransactionEventArgs): void | Promise<void> {
      if (flushing.get(em) !== true || isSavepoint(transaction)) return;
      flushing.delete(em);
      return runAfterBatches(runtime, commits, plan, em);
    },
    afterFlush({ em }: FlushEventArgs): void | Promise<void> {
      if (!flushing.has(em)) return;
      flushing.delete(em);
      return runAfterBatches(runtime, commits, plan, em);
    },
    afterTransactionRollback({ em, transaction }: TransactionEventArgs): void {
      if (!isSavepoint(transaction) && flushing.get(em) === true) flushing.delete(em);
    },
  };
}

/** The context of one batch after-call: the change sets of its entities, in their order. */
class AfterBatchContext extends DispatchContext {
  constructor(event: DispatchContext['event'], em: EntityManager, meta: EntityMetadata, skip: ReadonlySet<string> | undefined, readonly list: readonly AnyChangeSet[]) {
    super(event, em, meta, undefined, skip);
  }

  override get changeSets(): readonly AnyChangeSet[] {
    return this.list;
  }
}

const KIND_OF: Readonly<Record<AfterBatchEvent, ChangeKind>> = { afterCreate: 'create', afterUpdate: 'update', afterDelete: 'delete' };

interface Phase {
  readonly event: AfterBatchEvent;
  readonly order: number;
  readonly reversed: boolean;
}

const PHASES: Partial<Record<ChangeSetType, Phase>> = {
  [ChangeSetType.DELETE_EARLY]: { event: 'afterDelete', order: 0, reversed: true },
  [ChangeSetType.UPDATE_EARLY]: { event: 'afterUpdate', order: 1, reversed: false },
  [ChangeSetType.CREATE]: { event: 'afterCreate', order: 2, reversed: false },
  [ChangeSetType.UPDATE]: { event: 'afterUpdate', order: 3, reversed: false },
  [ChangeSetType.DELETE]: { event: 'afterDelete', order: 4, reversed: true },
};

/** The change sets of one class in one phase of the writes. */
interface Group {
  readonly phase: Phase;
  readonly meta: EntityMetadata;
  readonly list: AnyChangeSet[];
}

function groupOf(groups: Map<string, Group>, phase: Phase, meta: EntityMetadata): Group {
  const key = `${phase.order}:${meta.className}`;
  let group = groups.get(key);
  if (group === undefined) groups.set(key, (group = { phase, meta, list: [] }));
  return group;
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/**
 * The after-events of the batched entities of a flush, per class: creates, then updates, then deletes,
 * classes in change-set order. For each class, the event's chain once over its entities, then its
 * `afterCommit` hooks queued and its `afterChange` chain once, with each entity's changes, as a
 * per-entity dispatch does entity by entity. A throw rolls the flush back with the same tagged error.
 */
export function runAfterBatches(runtime: PluginRuntime, commits: CommitQueue, plan: BatchPlan, em: EntityManager): void | Promise<void> {
  const uow = em.getUnitOfWork(false);
  const groups = new Map<string, Group>();
  let last: Group | undefined;
  let lastMeta: EntityMetadata | undefined;
  let lastType: ChangeSetType | undefined;
  for (const cs of uow.getChangeSets()) {
    // Change sets come class after class: the last group is kept at hand.
    if (cs.meta !== lastMeta || cs.type !== lastType) {
      lastMeta = cs.meta;
      lastType = cs.type;
      const phase = PHASES[cs.type];
      last = phase !== undefined && plan.after[phase.event].has(cs.meta.className) ? groupOf(groups, phase, cs.meta) : undefined;
    }
    // MikroORM writes (and dispatches) no update whose payload ended up empty.
    if (last !== undefined && (last.phase.event !== 'afterUpdate' || hasKeys(cs.payload) || cs.meta.hasOptimisticLock())) last.list.push(cs);
  }
  if (groups.size === 0) return;
  // MikroORM's order: early deletes, early updates, creates, updates, deletes; class by class in commit order (deletes reversed).
  const rank = new Map<number | undefined, number>(commitOrder(uow).map((meta, i) => [meta._id, i]));
  const rankOf = (group: Group) => {
    const r = rank.get(group.meta.root._id) ?? rank.get(group.meta._id) ?? 0;
    return group.phase.reversed ? -r : r;
  };
  const ordered = [...groups.values()].sort((a, b) => a.phase.order - b.phase.order || rankOf(a) - rankOf(b));
  const work: (() => void | Promise<void>)[] = [];
  const skip = switchedOffPlugins();
  for (const { phase, meta, list } of ordered) {
    const event = phase.event;
    if (list.length === 0) continue;
    const chains = runtime.chainsOf(meta);
    if (!chains) continue;
    const entities = list.map(cs => cs.entity as object);
    const own = chains[event];
    if (own !== null) work.push(() => runChain(own, new AfterBatchContext(event, em, meta, skip, list), entities));
    const { afterChange, afterCommit } = chains;
    if (afterChange === null && afterCommit === null) continue;
    work.push(() => {
      const kind = KIND_OF[event];
      const changes: EntityChanges[] = list.map(cs => entityChanges(kind, cs));
      if (afterCommit !== null) for (let i = 0; i < list.length; i++) commits.add(em, { chain: afterCommit, entity: entities[i]!, changes: changes[i]!, meta, skip });
      if (afterChange !== null) return runChain(afterChange, new AfterBatchContext('afterChange', em, meta, skip, list), entities, changes);
    });
  }
  const runFrom = (start: number): void | Promise<void> => {
    for (let i = start; i < work.length; i++) {
      const pending = work[i]!();
      if (pending !== undefined) return pending.then(() => runFrom(i + 1));
    }
  };
  return runFrom(0);
}

/**
 * One chain over a class's entities: in one batch when every hook takes the batch form (as the plan
 * found at start-up), else entity by entity (a plugin registered later hooks the event per entity).
 */
function runChain(chain: Chain<false>, ctx: AfterBatchContext, entities: readonly object[], changes?: readonly EntityChanges[]): void | Promise<void> {
  if (chain.links.every(link => link.batch !== undefined)) return dispatchBatch(chain, ctx, entities, changes);
  const runFrom = (start: number): void | Promise<void> => {
    for (let i = start; i < entities.length; i++) {
      const one = new DispatchContext(ctx.event, ctx.em, ctx.meta, ctx.list[i], ctx.skip);
      const pending = dispatch(chain, one, entities[i], changes?.[i]);
      if (pending !== undefined) return Promise.resolve(pending).then(() => runFrom(i + 1));
    }
  };
  return runFrom(0);
}
