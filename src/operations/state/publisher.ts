import type { EntityManager } from '@mikro-orm/core';

/** Tells other instances that the version moved: the store calls it around each change it commits. */
export interface StateChangePublisher {
  /** Inside the transaction that bumps the version: a PostgreSQL NOTIFY is delivered on commit and dropped on rollback. */
  inTransaction(em: EntityManager): Promise<void>;
  /** After that transaction committed (Redis PUBLISH). Never throws: the change is made whatever happens here. */
  afterCommit(): Promise<void>;
}
