import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, EntityMetadata, EventType } from '@mikro-orm/core';

// Part of the one seam over MikroORM members outside its public API (see ./index.ts).

/** Per EventManager: the events it must not dispatch again, by the `changeSet` (or entity) they were run for. */
const alreadyDispatched = new WeakMap<object, Map<string, WeakSet<object>>>();
/** An event of one entity type the package already ran for everything the current call writes. */
const runForCall = new AsyncLocalStorage<{ readonly event: EventType; readonly meta: EntityMetadata }>();

/**
 * MikroORM has no way to cancel an event per entity, so when the package runs an event's listeners
 * itself, earlier than MikroORM would, it wraps `em`'s EventManager's `dispatchEvent`, once, to skip
 * MikroORM's own dispatch of it.
 */
function skipping(em: EntityManager): Map<string, WeakSet<object>> {
  const events = em.getEventManager() as unknown as { dispatchEvent(event: EventType, args: any, meta?: EntityMetadata): unknown };
  let done = alreadyDispatched.get(events);
  if (done) return done;
  const byEvent = new Map<string, WeakSet<object>>();
  alreadyDispatched.set(events, (done = byEvent));
  const dispatchEvent = events.dispatchEvent;
  events.dispatchEvent = function (this: unknown, type: EventType, args: any, meta?: EntityMetadata) {
    const skipped = byEvent.get(type);
    if (skipped !== undefined && args != null && skipped.has(args.changeSet ?? args.entity)) return undefined;
    const call = runForCall.getStore();
    if (call !== undefined && call.event === type && call.meta === (meta ?? args?.meta)) return undefined;
    return dispatchEvent.call(this, type, args, meta);
  };
  return done;
}

/** MikroORM will not dispatch `event` for `key` (a change set or an entity): the package already ran it. */
export function markDispatched(em: EntityManager, event: EventType, key: object): void {
  const done = skipping(em);
  let skipped = done.get(event);
  if (!skipped) done.set(event, (skipped = new WeakSet()));
  skipped.add(key);
}

/** Runs `fn` (a MikroORM call) without MikroORM dispatching `event` for `meta`'s entities: the package already ran it for them. */
export function withEventDispatched<T>(em: EntityManager, event: EventType, meta: EntityMetadata, fn: () => T): T {
  skipping(em);
  return runForCall.run({ event, meta }, fn);
}
