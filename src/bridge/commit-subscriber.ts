import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { isSavepoint, type CommitQueue } from './commit-queue.js';

/**
 * The transaction events a commit queue needs: which savepoint sits in which transaction, and when
 * the outermost one commits or a transaction rolls back.
 */
export class CommitSubscriber implements EventSubscriber {
  constructor(private readonly commits: CommitQueue) {}

  beforeTransactionStart(args: TransactionEventArgs): void {
    this.commits.starting(args.em, args.transaction);
  }

  afterTransactionStart(args: TransactionEventArgs): void {
    this.commits.started(args.em, args.transaction);
  }

  afterTransactionCommit(args: TransactionEventArgs): void | Promise<void> {
    if (args.transaction && !isSavepoint(args.transaction)) return this.commits.commit(args.transaction, args.em);
  }

  afterTransactionRollback(args: TransactionEventArgs): void {
    if (args.transaction) this.commits.rollback(args.transaction);
  }
}
