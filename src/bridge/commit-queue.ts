import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { DispatchContext, type Chain } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { PluginError } from '../errors.js';
import type { EntityChanges } from '../events.js';

/** `afterCommit` hooks of one written change. */
export interface PendingHooks {
  readonly chain: Chain<false>;
  readonly entity: object;
  readonly changes: EntityChanges;
  readonly meta: EntityMetadata;
  readonly skip: ReadonlySet<string> | undefined;
}

/** Either hooks to dispatch or plain work (`onCommit(em, fn)`), with the transaction it was written in. */
type PendingCommit = (PendingHooks | { readonly run: () => unknown }) & { readonly transaction: object | undefined };

/**
 * Holds `afterCommit` work until the root transaction commits, and drops what a rollback
 * undid. Savepoints are linked to their parent as they start, so work written in a nested
 * `em.transactional` waits for the outermost commit. Everything is keyed weakly.
 */
export class CommitQueue {
  /** Root transaction (or, outside any transaction, the entity manager) → its pending work. */
  readonly #pending = new WeakMap<object, PendingCommit[]>();
  readonly #parentOf = new WeakMap<object, object>();
  readonly #starting = new WeakMap<EntityManager, object>();

  constructor(private readonly onError: (error: PluginError) => void) {}

  /** `beforeTransactionStart` carries the parent of the savepoint about to start. */
  starting(em: EntityManager, parent: object | undefined): void {
    if (parent) this.#starting.set(em, parent);
    else this.#starting.delete(em);
  }

  started(em: EntityManager, transaction: object | undefined): void {
    const parent = this.#starting.get(em);
    if (parent && transaction) this.#parentOf.set(transaction, parent);
    this.#starting.delete(em);
  }

  add(em: EntityManager, commit: PendingHooks | { readonly run: () => unknown }): void {
    const transaction = (em.getTransactionContext() as object | undefined) ?? undefined;
    const key = transaction ? this.#root(transaction) : em;
    let list = this.#pending.get(key);
    if (!list) this.#pending.set(key, (list = []));
    list.push({ ...commit, transaction });
  }

  /**
   * Whether the outermost transaction of `em`'s current one is known: false only inside a savepoint
   * whose start the queue did not see (it started listening later), whose root it cannot find.
   */
  knowsRootOf(em: EntityManager): boolean {
    const transaction = em.getTransactionContext() as object | undefined;
    return !transaction || !isSavepoint(this.#root(transaction));
  }

  /** Runs `run` when the root transaction `em` is in commits; dropped on rollback, like the hooks. */
  defer(em: EntityManager, run: () => unknown): void {
    this.add(em, { run });
  }

  /** Runs the pending hooks of a root transaction (or of an em outside one) in write order; errors are reported, never thrown. */
  async commit(key: object, em: EntityManager): Promise<void> {
    const list = this.#pending.get(key);
    if (!list || list.length === 0) return;
    this.#pending.delete(key);
    for (const pending of list) {
      try {
        if ('run' in pending) await pending.run();
        else await dispatch(pending.chain, new DispatchContext('afterCommit', em, pending.meta, undefined, pending.skip), pending.entity, pending.changes);
      } catch (error) {
        this.onError(error as PluginError);
      }
    }
  }

  /** A rollback forgets the work written in that transaction and in the savepoints inside it. */
  rollback(transaction: object): void {
    const root = this.#root(transaction);
    const list = this.#pending.get(root);
    if (!list) return;
    if (root === transaction) this.#pending.delete(root);
    else this.#pending.set(root, list.filter(p => !p.transaction || !this.#within(p.transaction, transaction)));
  }

  #root(transaction: object): object {
    let current = transaction;
    for (let parent = this.#parentOf.get(current); parent; parent = this.#parentOf.get(current)) current = parent;
    return current;
  }

  #within(transaction: object, ancestor: object): boolean {
    for (let t: object | undefined = transaction; t; t = this.#parentOf.get(t)) if (t === ancestor) return true;
    return false;
  }
}

export function isSavepoint(transaction: unknown): boolean {
  return typeof transaction === 'object' && transaction !== null && 'savepointName' in transaction;
}
