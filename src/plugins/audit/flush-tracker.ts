import { randomUUID } from 'node:crypto';
import type { EntityManager, EventSubscriber, FlushEventArgs } from '@mikro-orm/core';

const flushIds = new WeakMap<EntityManager, string>();

/** Marks where each flush begins, so every row one flush writes shares one id. */
export class FlushTracker implements EventSubscriber {
  beforeFlush({ em }: FlushEventArgs): void {
    flushIds.delete(em);
  }
}

/** The id of the flush `em` is running, made on its first audited change. */
export function flushIdOf(em: EntityManager): string {
  let id = flushIds.get(em);
  if (id === undefined) flushIds.set(em, (id = randomUUID()));
  return id;
}

/**
 * The flush id of a native or bulk operation: the running flush's when a hook calls it during a
 * flush of `em` (the unit of work holds that flush's change sets until it ends), else an id of its own.
 */
export function bulkFlushIdOf(em: EntityManager): string {
  return em.getUnitOfWork(false).getChangeSets().length > 0 ? flushIdOf(em) : randomUUID();
}
