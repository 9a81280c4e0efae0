import { TransactionEventBroadcaster, type EntityManager } from '@mikro-orm/core';
import { forgetKeptSnapshots, undoKeptSnapshots } from './kept-rows.js';
import { entityState } from './orm-internals/index.js';
import { findRuntime } from './runtimes.js';

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;

/**
 * A flush that removes an entity whose plugins hook `beforeDelete` runs in a transaction opened
 * before the flush starts. MikroORM opens its own only after `onFlush`, where those hooks run, so
 * what a hook reads (softDelete's cascade loads the children) would be read outside the write.
 * Inside a transaction already, or with implicit transactions off, the flush is MikroORM's own.
 */
export function withDeleteTransaction<T extends EntityManagerClass>(Base: T): T {
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager;

  class DeleteTransaction extends Concrete {
    override flush(): Promise<void> {
      const em = this.getContext(false);
      if (!deleteHooksPending(em)) return super.flush();
      return inFlushTransaction(em, () => super.flush());
    }
  }

  return DeleteTransaction as unknown as T;
}

function deleteHooksPending(em: EntityManager): boolean {
  if (em.isInTransaction() || !em.config.get('implicitTransactions') || !em.getPlatform().supportsTransactions()) return false;
  const runtime = findRuntime(em);
  if (runtime === undefined) return false;
  const uow = em.getUnitOfWork();
  for (const stack of [uow.getRemoveStack(), uow.getOrphanRemoveStack()]) {
    for (const entity of stack) if (runtime.chainsOf(entityState(entity).meta)?.beforeDelete != null) return true;
  }
  return false;
}

/** Begins, flushes, and commits, or rolls back and rethrows, as MikroORM's implicit flush transaction does. */
async function inFlushTransaction(em: EntityManager, flush: () => Promise<void>): Promise<void> {
  await em.begin();
  const trx = em.getTransactionContext();
  if (trx === undefined) return flush(); // transactions disabled for this context
  const connection = em.getConnection('write');
  try {
    await flush();
    await connection.commit(trx, new TransactionEventBroadcaster(em));
    forgetKeptSnapshots(em);
  } catch (error) {
    // Rows the flush wrote itself (`deleteAsUpdate`) are rolled back: their entities must look unsaved again.
    undoKeptSnapshots(em);
    try {
      await connection.rollback(trx, new TransactionEventBroadcaster(em));
    } catch {
      // The rollback failing (a dead connection) must not hide why the flush failed.
    }
    throw error;
  } finally {
    em.resetTransactionContext();
  }
}
