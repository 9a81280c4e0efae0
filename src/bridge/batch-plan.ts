import { Utils, type EntityManager, type EntityMetadata, type EventSubscriber } from '@mikro-orm/core';
import { PLUGIN_SUBSCRIBER } from './event-order.js';
import type { PluginRuntime } from './plugin-runtime.js';

export type BatchEvent = 'beforeCreate' | 'beforeUpdate';

export const BATCH_EVENTS: readonly BatchEvent[] = ['beforeCreate', 'beforeUpdate'];

/** The MikroORM after-events whose plugin hooks (and `afterChange`) may run once per class at the end of a flush. */
export type AfterBatchEvent = 'afterCreate' | 'afterUpdate' | 'afterDelete';

export const AFTER_BATCH_EVENTS: readonly AfterBatchEvent[] = ['afterCreate', 'afterUpdate', 'afterDelete'];

/** Which entities (by class name) a flush runs each before-event for in one batch, in `onFlush`. */
export interface BatchPlan {
  readonly beforeCreate: ReadonlySet<string>;
  readonly beforeUpdate: ReadonlySet<string>;
  /** The entities, by event, that hook it per entity: MikroORM dispatches the event to the package for these only. */
  readonly perEntity: Readonly<Record<BatchEvent, readonly EntityMetadata[]>>;
  /** By event, the classes of the batched entities (`plan.beforeCreate`'s, `plan.beforeUpdate`'s). */
  readonly batched: Readonly<Record<BatchEvent, readonly EntityMetadata[]>>;
  /** By after-event, the entities (by class name) whose plugin hooks run once per class at the end of the flush (`after-batches.ts`). */
  readonly after: Readonly<Record<AfterBatchEvent, ReadonlySet<string>>>;
  /** By after-event, the entities MikroORM still dispatches it to the package for, one by one. */
  readonly afterPerEntity: Readonly<Record<AfterBatchEvent, readonly EntityMetadata[]>>;
  /** Whether any after-event is batched. */
  readonly afterBatched: boolean;
}

/** Marks the package's per-event subscribers, which carry only `beforeCreate` or `beforeUpdate`. */
export const PER_ENTITY_SUBSCRIBER = Symbol.for('mikro-orm-plugins:per-entity-subscriber');

/**
 * Decided once, at start-up: an entity's create (update) event is batched when every hook its plugins
 * have on it takes the batch form, the entity has no lifecycle hook of its own on it, no subscriber
 * registered before the package listens to it for the entity, and it is not table-per-type (whose
 * change sets MikroORM splits by table after `onFlush`). Undefined when nothing is batched: the
 * package then subscribes exactly as it would without batch hooks.
 */
export function planBatches(runtime: PluginRuntime, earlier: readonly EventSubscriber[]): BatchPlan | undefined {
  const sets = { beforeCreate: new Set<string>(), beforeUpdate: new Set<string>() };
  const perEntity: Record<BatchEvent, EntityMetadata[]> = { beforeCreate: [], beforeUpdate: [] };
  const batched: Record<BatchEvent, EntityMetadata[]> = { beforeCreate: [], beforeUpdate: [] };
  for (const meta of runtime.attachedMetadata()) {
    for (const event of BATCH_EVENTS) {
      const form = runtime.hookForm(meta.className, event);
      if (form === 'none') continue;
      if (form === 'batch' && !(meta.hooks[event]?.length ?? 0) && !tablePerType(meta) && !earlier.some(s => listens(s, event, meta))) {
        sets[event].add(meta.className);
        batched[event].push(meta);
      } else {
        perEntity[event].push(meta);
      }
    }
  }
  const after = { afterCreate: new Set<string>(), afterUpdate: new Set<string>(), afterDelete: new Set<string>() };
  const afterPerEntity: Record<AfterBatchEvent, EntityMetadata[]> = { afterCreate: [], afterUpdate: [], afterDelete: [] };
  for (const meta of runtime.attachedMetadata()) {
    for (const event of AFTER_BATCH_EVENTS) {
      const form = afterForm(runtime, meta, event);
      if (form === 'none') continue;
      if (form === 'batch') after[event].add(meta.className);
      else afterPerEntity[event].push(meta);
    }
  }
  const none = (...list: ReadonlySet<string>[]) => list.every(set => set.size === 0);
  if (none(sets.beforeCreate, sets.beforeUpdate, after.afterCreate, after.afterUpdate, after.afterDelete)) return undefined;
  return { ...sets, perEntity, batched, after, afterPerEntity, afterBatched: !none(after.afterCreate, after.afterUpdate, after.afterDelete) };
}

/**
 * Whether an after-event of an entity needs the package: its plugin hooks there, its `afterChange`
 * hooks (which run from it) and its `afterCommit` hooks (queued from it). It is batched when at least
 * one of the first two takes the batch form and none is per-entity (the batch runner queues the
 * `afterCommit` hooks itself), and the entity is not table-per-type.
 */
function afterForm(runtime: PluginRuntime, meta: EntityMetadata, event: AfterBatchEvent): 'none' | 'batch' | 'per-entity' {
  const own = runtime.hookForm(meta.className, event);
  const change = runtime.hookForm(meta.className, 'afterChange');
  if (own === 'per-entity' || change === 'per-entity') return 'per-entity';
  if (own === 'none' && change === 'none') return runtime.hookForm(meta.className, 'afterCommit') === 'none' ? 'none' : 'per-entity';
  return tablePerType(meta) ? 'per-entity' : 'batch';
}

function tablePerType(meta: EntityMetadata): boolean {
  return meta.inheritanceType === 'tpt' || meta.root.inheritanceType === 'tpt' || meta.tptParent !== undefined;
}

/** Whether MikroORM would dispatch `event` of this entity to the subscriber (`EventManager.dispatchEvent`'s rule). */
function listens(subscriber: EventSubscriber, event: BatchEvent, meta: EntityMetadata): boolean {
  if (typeof subscriber[event] !== 'function') return false;
  const names = subscriber.getSubscribedEntities?.() ?? [];
  return names.length === 0 || names.some(name => Utils.classOrName(name) === meta.class || Utils.classOrName(name) === meta.className);
}

/** A subscriber carrying one before- or after-event for the given entities, marked as the package's. */
export function perEntitySubscriber(event: BatchEvent | AfterBatchEvent, entities: readonly EntityMetadata[], handler: EventSubscriber[BatchEvent]): EventSubscriber {
  return { [PER_ENTITY_SUBSCRIBER]: true, getSubscribedEntities: () => entities.map(meta => meta.class), [event]: handler } as EventSubscriber;
}

/**
 * Checked at each flush: a subscriber registered after the package that listens to `onFlush` runs after
 * the package's `onFlush`, and must see the entities as they were before the before-hooks, as it would
 * without batches. Then the batched entities go back to per-entity dispatch, from this flush on, on this
 * EventManager (and the ones cloned from it later): the package subscribes their events now.
 */
export function mustDispatchPerEntity(em: EntityManager, plan: BatchPlan, handlers: Pick<EventSubscriber, BatchEvent>): boolean {
  const events = em.getEventManager();
  let afterPackage = false;
  for (const subscriber of events.getSubscribers() as Set<EventSubscriber & Record<symbol, unknown>>) {
    if (subscriber[PLUGIN_SUBSCRIBER] === true) {
      afterPackage = true;
      continue;
    }
    if (!afterPackage) continue;
    if (subscriber[LATE_SUBSCRIBER] === true) return true;
    if (subscriber[PER_ENTITY_SUBSCRIBER] === true || typeof subscriber.onFlush !== 'function') continue;
    for (const event of BATCH_EVENTS) {
      if (plan.batched[event].length === 0) continue;
      const late = perEntitySubscriber(event, plan.batched[event], handlers[event]!.bind(handlers)) as EventSubscriber & Record<symbol, unknown>;
      late[LATE_SUBSCRIBER] = true;
      events.registerSubscriber(late);
    }
    return true;
  }
  return false;
}

export const LATE_SUBSCRIBER = Symbol.for('mikro-orm-plugins:late-per-entity-subscriber');
