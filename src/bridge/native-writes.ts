import { EntityManager, Utils, type EntityMetadata } from '@mikro-orm/core';
import { DispatchContext, type Chain } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { EntityChains } from '../chain/build-chains.js';
import type { DispatchedEvent } from '../events.js';
import { findRuntime } from './runtimes.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins } from './scope.js';

type AnyOptions = Record<string, any>;

export interface Found {
  readonly runtime: PluginRuntime;
  readonly meta: EntityMetadata;
  readonly chains: EntityChains;
}

export function pluginsOf(em: EntityManager, entityName: unknown): Found | undefined {
  const runtime = findRuntime(em);
  if (!runtime || entityName == null) return undefined;
  const meta = em.getMetadata().find(entityName as never);
  const chains = runtime.chainsOf(meta);
  return meta && chains ? { runtime, meta, chains } : undefined;
}

/** Runs the `beforeCreate` chain (with its `beforeSave` hooks) on each row; data objects are copied first, entities are not. */
export async function beforeCreate(em: EntityManager, found: Found | undefined, rows: readonly any[]): Promise<any[]> {
  const chain = found?.chains.beforeCreate ?? null;
  if (chain === null) return [...rows];
  const skip = switchedOffPlugins();
  const out: any[] = [];
  for (const row of rows) {
    const target = Utils.isEntity(row) ? row : { ...row };
    const pending = dispatch(chain, new DispatchContext('beforeCreate', em, found!.meta, undefined, skip), target);
    if (pending) await pending;
    out.push(target);
  }
  return out;
}

/** The context of a bulk hook; the after-events also say how many rows the operation wrote. */
class BulkContext extends DispatchContext {
  constructor(
    event: DispatchedEvent,
    em: EntityManager,
    meta: EntityMetadata,
    skip: ReadonlySet<string> | undefined,
    readonly affected: number | undefined,
  ) {
    super(event, em, meta, undefined, skip);
  }
}

export function runBulk(
  chain: Chain<boolean> | null,
  event: DispatchedEvent,
  em: EntityManager,
  meta: EntityMetadata,
  payload: { where: unknown; data: Record<string, unknown> | readonly unknown[] },
  affected?: number,
): void | false | Promise<void | false> {
  if (chain === null) return;
  return dispatch(chain as Chain<true>, new BulkContext(event, em, meta, switchedOffPlugins(), affected), meta.className, payload);
}

/** `options` objects of the inner call `inOwnTransaction` makes: already in a transaction, even when transactions are disabled. */
const inTransaction = new WeakSet<object>();

/**
 * Whether an operation with after-bulk hooks must open a transaction of its own, so those hooks (the
 * audit row, say) commit or roll back with the write, as a flush's `afterChange` hooks do. Not when
 * the caller's em is in one, the call names one (`ctx`), or implicit transactions are off.
 */
export function needsTransaction(em: EntityManager, options: AnyOptions): boolean {
  if (inTransaction.has(options) || options.ctx != null || em.isInTransaction()) return false;
  return em.config.get('implicitTransactions') === true && em.getPlatform().supportsTransactions();
}

/**
 * Runs the operation again on the caller's em inside a new transaction, passed as `ctx`: the
 * identity map is the caller's, as without the transaction. The fork `em.transactional` makes is
 * cleared, so the caller's pending changes are not flushed with it.
 */
export function inOwnTransaction<T>(em: EntityManager, options: AnyOptions, run: (options: AnyOptions) => Promise<T>): Promise<T> {
  return em.transactional(
    tx => {
      const inner = { ...options, ctx: tx.getTransactionContext() };
      inTransaction.add(inner);
      return run(inner);
    },
    { clear: true },
  );
}

/** The em after-bulk hooks get: the caller's, or a fork on the transaction the call named (`ctx`), so their writes join it. */
export function hookEm(em: EntityManager, options: AnyOptions): EntityManager {
  const ctx = options.ctx;
  if (ctx == null || ctx === em.getTransactionContext()) return em;
  const fork = em.fork({ clear: true });
  fork.setTransactionContext(ctx);
  return fork;
}
