import type { EntityName, EventArgs, EventSubscriber, FlushEventArgs, TransactionEventArgs } from '@mikro-orm/core';
import type { Chain } from '../chain/chain.js';
import { DispatchContext } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { ChangeKind, DispatchedEvent } from '../events.js';
import type { AfterBatchEvent } from './batch-plan.js';
import { entityChanges } from './entity-changes.js';
import { runDeleteChains } from './delete-chains.js';
import { KeptRows, writeKeptRows } from './kept-rows.js';
import type { CommitQueue } from './commit-queue.js';
import { CommitSubscriber } from './commit-subscriber.js';
import { catchUp, flushEndSubscriber, markFlush } from './after-batches.js';
import { AFTER_BATCH_EVENTS, BATCH_EVENTS, mustDispatchPerEntity, perEntitySubscriber, planBatches, type BatchPlan } from './batch-plan.js';
import { PLUGIN_SUBSCRIBER } from './event-order.js';
import { runFlushBatches } from './flush-batches.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

/**
 * The one MikroORM subscriber of the package, added after those of the `subscribers` option: every
 * plugin hook runs from here, so for each event the entity's own hooks run first, then the
 * application's subscribers, then the plugin hooks, then subscribers registered later.
 */
export class PluginSubscriber implements EventSubscriber {
  constructor(
    protected readonly runtime: PluginRuntime,
    protected readonly commits: CommitQueue,
    /** The before-events run in batches in `onFlush`, if any. */
    protected readonly batches?: BatchPlan,
  ) {}

  getSubscribedEntities(): EntityName<any>[] {
    const entities = this.runtime.attachedEntities();
    // An empty list would mean "every entity" to MikroORM.
    return entities.length > 0 ? entities : [class NoEntity {}];
  }

  beforeCreate(args: EventArgs<any>): void | Promise<void> {
    return run(this.runtime.chainsOf(args.meta)?.beforeCreate ?? null, 'beforeCreate', args);
  }

  afterCreate(args: EventArgs<any>): void | Promise<void> {
    return this.#afterWrite(this.runtime.chainsOf(args.meta)?.afterCreate ?? null, 'afterCreate', 'create', args);
  }

  beforeUpdate(args: EventArgs<any>): void | Promise<void> {
    return run(this.runtime.chainsOf(args.meta)?.beforeUpdate ?? null, 'beforeUpdate', args);
  }

  afterUpdate(args: EventArgs<any>): void | Promise<void> {
    return this.#afterWrite(this.runtime.chainsOf(args.meta)?.afterUpdate ?? null, 'afterUpdate', 'update', args);
  }

  afterDelete(args: EventArgs<any>): void | Promise<void> {
    return this.#afterWrite(this.runtime.chainsOf(args.meta)?.afterDelete ?? null, 'afterDelete', 'delete', args);
  }

  onLoad(args: EventArgs<any>): void | Promise<void> {
    return run(this.runtime.chainsOf(args.meta)?.afterLoad ?? null, 'afterLoad', args);
  }

  /** The `beforeDelete` event of entities whose plugins hook it runs here, where a veto can still turn the delete into an update (in the transaction `withDeleteTransaction` opened). */
  onFlush(args: FlushEventArgs): void | Promise<void> {
    const plan = this.batches;
    let perEntity: boolean | undefined;
    const dispatchesPerEntity = () => (perEntity ??= plan === undefined || mustDispatchPerEntity(args.em, plan, this));
    if (plan?.afterBatched === true) markFlush(args.em);
    const kept = new KeptRows(args.em, this.runtime, meta => !dispatchesPerEntity() && plan!.beforeUpdate.has(meta.className));
    const deletes = runDeleteChains(this.runtime, args, kept);
    // After the delete chains: a vetoed delete is an update by now, which the update hooks see.
    const batches = () => (dispatchesPerEntity() ? undefined : runFlushBatches(this.runtime, plan!, args));
    // After the update hooks: the rows kept by `deleteAsUpdate` are written with what those hooks set.
    // Written before any of MikroORM's writes: no batched class has after-hooks to catch up on first.
    const afterKept = (event: EventArgs<any>) => this.#afterWriteNow(this.runtime.chainsOf(event.meta)?.afterUpdate ?? null, 'afterUpdate', 'update', event);
    const write = () => (kept.rows.length === 0 ? undefined : writeKeptRows(kept, afterKept));
    return then(then(deletes, batches), write);
  }

  #afterWrite(chain: Chain<false> | null, event: DispatchedEvent, kind: ChangeKind, args: EventArgs<any>): void | Promise<void> {
    // Batched classes MikroORM wrote before this entity get their after-hooks first, in write order.
    const plan = this.batches;
    const earlier = plan?.afterBatched === true ? catchUp(this.runtime, this.commits, plan, args.em, args.changeSet!) : undefined;
    if (earlier !== undefined) return earlier.then(() => this.#afterWriteNow(chain, event, kind, args));
    return this.#afterWriteNow(chain, event, kind, args);
  }

  #afterWriteNow(chain: Chain<false> | null, event: DispatchedEvent, kind: ChangeKind, args: EventArgs<any>): void | Promise<void> {
    const pending = run(chain, event, args);
    const chains = this.runtime.chainsOf(args.meta);
    if (!chains || (chains.afterChange === null && chains.afterCommit === null)) return pending;
    const changes = entityChanges(kind, args.changeSet!);
    if (chains.afterCommit !== null) {
      this.commits.add(args.em, { chain: chains.afterCommit, entity: args.entity, changes, meta: args.meta!, skip: switchedOffPlugins() });
    }
    const changeChain = chains.afterChange;
    if (changeChain === null) return pending;
    const runChange = () => dispatch(changeChain, context('afterChange', args), args.entity, changes);
    return pending ? pending.then(runChange) : runChange();
  }
}

/** Adds the transaction events the commit queue needs (`afterCommit` hooks, `onCommit`). */
export class CommitAwareSubscriber extends PluginSubscriber {
  readonly #transactions = new CommitSubscriber(this.commits);

  beforeTransactionStart(args: TransactionEventArgs): void {
    this.#transactions.beforeTransactionStart(args);
  }

  afterTransactionStart(args: TransactionEventArgs): void {
    this.#transactions.afterTransactionStart(args);
  }

  afterTransactionCommit(args: TransactionEventArgs): void | Promise<void> {
    return this.#transactions.afterTransactionCommit(args);
  }

  afterTransactionRollback(args: TransactionEventArgs): void {
    this.#transactions.afterTransactionRollback(args);
  }

  /** Flushes outside any transaction (implicit transactions off) count as committed when they end. */
  afterFlush(args: FlushEventArgs): void | Promise<void> {
    if (!args.em.isInTransaction()) return this.commits.commit(args.em, args.em);
  }
}

/** `next` after `first`, synchronously while nothing is a promise. */
function then(first: void | Promise<void>, next: () => void | Promise<void>): void | Promise<void> {
  return first instanceof Promise ? first.then(next) : next();
}

function run(chain: Chain<false> | null, event: DispatchedEvent, args: EventArgs<any>): void | Promise<void> {
  if (chain === null) return;
  return dispatch(chain, context(event, args), args.entity);
}

function context(event: DispatchedEvent, args: EventArgs<any>): DispatchContext {
  return new DispatchContext(event, args.em, args.meta!, args.changeSet, switchedOffPlugins());
}

export { PLUGIN_SUBSCRIBER };

/** Which MikroORM events the subscriber needs, by the plugin events that run from them; `always` for `onCommit`. */
const NEEDED_FOR: Readonly<Record<string, readonly string[]>> = {
  beforeCreate: ['beforeCreate', 'beforeSave'],
  afterCreate: ['afterCreate', 'afterSave', 'afterChange', 'afterCommit'],
  beforeUpdate: ['beforeUpdate', 'beforeSave'],
  afterUpdate: ['afterUpdate', 'afterSave', 'afterChange', 'afterCommit'],
  afterDelete: ['afterDelete', 'afterChange', 'afterCommit'],
  onLoad: ['afterLoad'],
  onFlush: ['beforeDelete', 'afterDelete', 'afterChange', 'afterCommit'],
  beforeTransactionStart: ['always'],
  afterTransactionStart: ['always'],
  afterTransactionCommit: ['always'],
  afterTransactionRollback: ['always'],
  afterFlush: ['afterCommit'],
};

/** The package's subscribers: `first` go before every other subscriber, `last` after those of the `subscribers` option. */
export interface PluginSubscribers {
  readonly first: readonly EventSubscriber[];
  readonly last: readonly EventSubscriber[];
}

/**
 * The subscribers MikroORM gets: only the events some attached plugin needs. Entities whose before- or
 * after-events run in batches (`planBatches`) are left out of those events, so MikroORM skips its per-entity work for them. MikroORM awaits every
 * subscribed event per entity (~0.6 µs), so an unused `onLoad` would tax every row a find loads.
 */
export function createPluginSubscribers(runtime: PluginRuntime, commits: CommitQueue, earlier: readonly EventSubscriber[]): PluginSubscribers {
  const plan = planBatches(runtime, earlier);
  const full = new CommitAwareSubscriber(runtime, commits, plan) as unknown as Record<string, (args: unknown) => unknown>;
  const subscriber: Record<string | symbol, unknown> = {
    [PLUGIN_SUBSCRIBER]: true,
    getSubscribedEntities: () => (full as unknown as PluginSubscriber).getSubscribedEntities(),
  };
  for (const [event, sources] of Object.entries(NEEDED_FOR)) {
    if (plan && (event === 'beforeCreate' || event === 'beforeUpdate')) continue;
    if (plan && AFTER_BATCH_EVENTS.includes(event as never) && plan.after[event as AfterBatchEvent].size > 0) continue;
    if (sources.some(source => source === 'always' || runtime.hooksEvent(source)) || (plan && event === 'onFlush')) subscriber[event] = full[event]!.bind(full);
  }
  if (!plan) return { first: [], last: [subscriber as EventSubscriber] };
  // Right after it, so the order among subscribers stays: the events of the entities that dispatch them per entity.
  const perEntity = BATCH_EVENTS.filter(event => plan.perEntity[event].length > 0).map(event => perEntitySubscriber(event, plan.perEntity[event], full[event]!.bind(full) as never));
  for (const event of AFTER_BATCH_EVENTS) {
    if (plan.after[event].size > 0 && plan.afterPerEntity[event].length > 0) perEntity.push(perEntitySubscriber(event, plan.afterPerEntity[event], full[event]!.bind(full) as never));
  }
  const first = plan.afterBatched ? [flushEndSubscriber(runtime, commits, plan)] : [];
  return { first, last: [subscriber as EventSubscriber, ...perEntity] };
}
