import { ChangeSetType, Utils, type ChangeSet, type EntityManager, type EntityMetadata, type EventSubscriber, type FlushEventArgs, type TransactionEventArgs } from '@mikro-orm/core';
import { DispatchContext, type Chain } from '../chain/chain.js';
import { dispatch, dispatchBatch } from '../chain/dispatch.js';
import { eachSyncUntilAsync } from '../chain/each-sync-until-async.js';
import type { ChangeKind, EntityChanges } from '../events.js';
import type { AfterBatchEvent, BatchPlan } from './batch-plan.js';
import { readsNoChangeSets } from './change-set-readers.js';
import { isSavepoint, type CommitQueue } from './commit-queue.js';
import { entityChanges } from './entity-changes.js';
import { commitOrder } from './orm-internals/index.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

type AnyChangeSet = ChangeSet<any>;

/** A flush between its `onFlush` and the end of its writes: its batched groups, run in write order as the writes pass them. */
interface FlushState {
  /** Whether the flush opens its own transaction. */
  readonly own: boolean;
  /** The batched groups in write order, made at the first catch-up (all `onFlush` listeners have run by then). */
  groups: readonly Group[] | undefined;
  /** Each class's place in the commit order. */
  rank: ReadonlyMap<number | undefined, number> | undefined;
  /** The first group not run yet. */
  next: number;
}

const flushing = new WeakMap<EntityManager, FlushState>();

/**
 * Called from `onFlush`: this flush's batched after-hooks run as its writes go past them (`catchUp`),
 * and the rest once the writes are done, still inside its transaction: at the commit of the
 * transaction the flush opens (MikroORM's own condition), or, when the flush runs in the caller's
 * transaction or in none, at `afterFlush`.
 */
export function markFlush(em: EntityManager): void {
  const own = !em.isInTransaction() && em.getPlatform().supportsTransactions() && !!em.config.get('implicitTransactions');
  flushing.set(em, { own, groups: undefined, rank: undefined, next: 0 });
}

/**
 * The subscriber that runs what is left of the batched after-hooks at the end of the writes. It comes
 * first among all subscribers, so every subscriber's `beforeTransactionCommit` and `afterFlush` (the
 * audit log's row writer, say) sees every after-hook done, as after a flush that dispatched them per entity.
 */
export function flushEndSubscriber(runtime: PluginRuntime, commits: CommitQueue, plan: BatchPlan): EventSubscriber {
  const subscriber: EventSubscriber = {
    beforeTransactionCommit({ em, transaction }: TransactionEventArgs): void | Promise<void> {
      if (flushing.get(em)?.own !== true || isSavepoint(transaction)) return;
      return finish(runtime, commits, plan, em);
    },
    afterFlush({ em }: FlushEventArgs): void | Promise<void> {
      if (flushing.has(em)) return finish(runtime, commits, plan, em);
    },
    afterTransactionRollback({ em, transaction }: TransactionEventArgs): void {
      if (!isSavepoint(transaction) && flushing.get(em)?.own === true) flushing.delete(em);
    },
  };
  // Its `afterFlush` only runs the batched hooks: it reads no change set a kept row's write would skip.
  return readsNoChangeSets(subscriber);
}

function finish(runtime: PluginRuntime, commits: CommitQueue, plan: BatchPlan, em: EntityManager): void | Promise<void> {
  const state = flushing.get(em)!;
  flushing.delete(em);
  return runUpTo(runtime, commits, plan, em, state, Infinity);
}

/**
 * A per-entity after-event of `cs` is about to run (a class whose after-hooks are not batched): first
 * the batched groups MikroORM wrote before it run, so plugin hooks see the writes in MikroORM's order,
 * as when every class dispatches per entity.
 */
export function catchUp(runtime: PluginRuntime, commits: CommitQueue, plan: BatchPlan, em: EntityManager, cs: AnyChangeSet): void | Promise<void> {
  const state = flushing.get(em);
  if (state === undefined) return;
  const phase = PHASES[cs.type];
  if (phase === undefined) return;
  if (state.groups === undefined) groupFlush(state, plan, em);
  if (state.next >= state.groups!.length) return;
  return runUpTo(runtime, commits, plan, em, state, keyOf(phase, state.rank!.get(cs.meta.root._id) ?? state.rank!.get(cs.meta._id) ?? 0));
}

const KIND_OF: Readonly<Record<AfterBatchEvent, ChangeKind>> = { afterCreate: 'create', afterUpdate: 'update', afterDelete: 'delete' };

interface Phase {
  readonly event: AfterBatchEvent;
  readonly order: number;
  readonly reversed: boolean;
}

/** MikroORM's order of writes: early deletes, early updates, creates, updates, deletes; class by class in commit order (deletes reversed). */
const PHASES: Partial<Record<ChangeSetType, Phase>> = {
  [ChangeSetType.DELETE_EARLY]: { event: 'afterDelete', order: 0, reversed: true },
  [ChangeSetType.UPDATE_EARLY]: { event: 'afterUpdate', order: 1, reversed: false },
  [ChangeSetType.CREATE]: { event: 'afterCreate', order: 2, reversed: false },
  [ChangeSetType.UPDATE]: { event: 'afterUpdate', order: 3, reversed: false },
  [ChangeSetType.DELETE]: { event: 'afterDelete', order: 4, reversed: true },
};

/** Where a class's writes of one phase come among all the writes of the flush. */
function keyOf(phase: Phase, rank: number): number {
  return phase.order * 1e7 + (phase.reversed ? -rank : rank);
}

/** The change sets of one class in one phase of the writes. */
interface Group {
  readonly phase: Phase;
  readonly meta: EntityMetadata;
  readonly list: AnyChangeSet[];
  key: number;
}

/** The batched groups of the flush, in write order. */
function groupFlush(state: FlushState, plan: BatchPlan, em: EntityManager): void {
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
    if (last !== undefined && (last.phase.event !== 'afterUpdate' || Utils.hasObjectKeys(cs.payload) || cs.meta.hasOptimisticLock())) last.list.push(cs);
  }
  const rank = new Map<number | undefined, number>(groups.size === 0 ? [] : commitOrder(uow).map((meta, i) => [meta._id, i]));
  for (const group of groups.values()) group.key = keyOf(group.phase, rank.get(group.meta.root._id) ?? rank.get(group.meta._id) ?? 0);
  state.rank = rank;
  // Stable: classes of one root in one phase keep the order they first came in.
  state.groups = [...groups.values()].filter(group => group.list.length > 0).sort((a, b) => a.key - b.key);
}

function groupOf(groups: Map<string, Group>, phase: Phase, meta: EntityMetadata): Group {
  const key = `${phase.order}:${meta.className}`;
  let group = groups.get(key);
  if (group === undefined) groups.set(key, (group = { phase, meta, list: [], key: 0 }));
  return group;
}

/** Runs the groups not run yet whose writes come before `key`, in order; sync until a hook returns a promise. */
function runUpTo(runtime: PluginRuntime, commits: CommitQueue, plan: BatchPlan, em: EntityManager, state: FlushState, key: number): void | Promise<void> {
  if (state.groups === undefined) groupFlush(state, plan, em);
  const groups = state.groups!;
  const skip = switchedOffPlugins();
  while (state.next < groups.length && groups[state.next]!.key < key) {
    const pending = runGroup(runtime, commits, em, groups[state.next++]!, skip);
    if (pending !== undefined) return pending.then(() => runUpTo(runtime, commits, plan, em, state, key));
  }
}

/**
 * One class's after-event: the event's chain once over its entities, then its `afterCommit` hooks
 * queued and its `afterChange` chain once, with each entity's changes, as a per-entity dispatch does
 * entity by entity. A throw rolls the flush back with the same tagged error.
 */
function runGroup(runtime: PluginRuntime, commits: CommitQueue, em: EntityManager, { phase, meta, list }: Group, skip: ReadonlySet<string> | undefined): void | Promise<void> {
  const chains = runtime.chainsOf(meta);
  if (!chains) return;
  const event = phase.event;
  const entities = list.map(cs => cs.entity as object);
  const own = chains[event];
  const first = own === null ? undefined : runChain(own, new AfterBatchContext(event, em, meta, skip, list), entities);
  const { afterChange, afterCommit } = chains;
  if (afterChange === null && afterCommit === null) return first;
  const changesPart = (): void | Promise<void> => {
    const kind = KIND_OF[event];
    const changes: EntityChanges[] = list.map(cs => entityChanges(kind, cs));
    if (afterCommit !== null) for (let i = 0; i < list.length; i++) commits.add(em, { chain: afterCommit, entity: entities[i]!, changes: changes[i]!, meta, skip });
    if (afterChange !== null) return runChain(afterChange, new AfterBatchContext('afterChange', em, meta, skip, list), entities, changes);
  };
  return first === undefined ? changesPart() : first.then(changesPart);
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

/**
 * One chain over a class's entities: in one batch when every hook takes the batch form (as the plan
 * found at start-up), else entity by entity (a plugin registered later hooks the event per entity).
 */
function runChain(chain: Chain<false>, ctx: AfterBatchContext, entities: readonly object[], changes?: readonly EntityChanges[]): void | Promise<void> {
  if (chain.batchOnly) return dispatchBatch(chain, ctx, entities, changes);
  return eachSyncUntilAsync(entities, (entity, i) => {
    const one = new DispatchContext(ctx.event, ctx.em, ctx.meta, ctx.list[i], ctx.skip);
    return dispatch(chain, one, entity, changes?.[i]);
  });
}
