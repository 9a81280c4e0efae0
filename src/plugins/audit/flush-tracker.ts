import { randomUUID } from 'node:crypto';
import type { EntityManager, EventSubscriber, FlushEventArgs, TransactionEventArgs } from '@mikro-orm/core';
import { dropPending, hasPending, writePending } from './pending-rows.js';

const flushIds = new WeakMap<EntityManager, string>();

/**
 * Marks where each flush begins, so every row one flush writes shares one id, and writes the rows a
 * flush collected once its last change is written, still inside its transaction: at the commit of
 * the transaction the flush opened, or when the flush ends inside the caller's transaction.
 */
export class FlushTracker implements EventSubscriber {
  beforeFlush({ em }: FlushEventArgs): void | Promise<void> {
    flushIds.delete(em);
    // Rows of an earlier flush that failed part-way inside the still-open transaction: its writes stand there.
    return writePending(em);
  }

  beforeTransactionCommit({ em, transaction }: TransactionEventArgs): void | Promise<void> {
    if (hasPending(em, transaction)) return writePending(em, transaction);
  }

  afterFlush({ em }: FlushEventArgs): void | Promise<void> {
    return writePending(em);
  }

  afterTransactionRollback({ em, transaction }: TransactionEventArgs): void {
    dropPending(em, transaction);
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
