import type { EventSubscriber } from '@mikro-orm/core';

const READS_NO_CHANGE_SETS = Symbol.for('mikro-orm-plugins:reads-no-change-sets');

/**
 * Declares that a subscriber's `afterFlush` (and its `onFlush`, when registered after the package's)
 * reads none of the flush's change sets: rows kept by `deleteAsUpdate` may then still be written by
 * the plugin system, where such a subscriber would otherwise send them down MikroORM's update path,
 * in case it read their change sets. Returns the subscriber.
 */
export function readsNoChangeSets<T extends EventSubscriber>(subscriber: T): T {
  Object.defineProperty(subscriber, READS_NO_CHANGE_SETS, { value: true });
  return subscriber;
}

/** Whether `readsNoChangeSets` marked the subscriber. */
export function declaredNoChangeSetReader(subscriber: EventSubscriber): boolean {
  return (subscriber as Record<symbol, unknown>)[READS_NO_CHANGE_SETS] === true;
}
