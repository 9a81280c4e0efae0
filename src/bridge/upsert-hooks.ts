import { AsyncLocalStorage } from 'node:async_hooks';
import { EventType, Utils, type EntityManager, type EntityMetadata } from '@mikro-orm/core';
import { DispatchContext } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { UpsertControl } from '../events.js';
import { hookEm, runBulk, type Found } from './native-writes.js';
import { entityState, managedById, withEventDispatched } from './orm-internals/index.js';
import { runEntityEvent } from './event-order.js';
import { switchedOffPlugins } from './scope.js';

type AnyOptions = Record<string, any>;

/** Rows whose `beforeUpsert` hooks already ran in an outer call (MikroORM re-enters upsert for batches and forks). */
const upserting = new WeakSet<object>();
/** Set while MikroORM runs an upsert the hooks ran for: its inner upsert calls (on copies of the rows, in some versions) are its own. */
export const insideUpsert = new AsyncLocalStorage<true>();

class UpsertContext extends DispatchContext {
  constructor(
    em: EntityManager,
    meta: EntityMetadata,
    skip: ReadonlySet<string> | undefined,
    readonly upsert: UpsertControl,
  ) {
    super('beforeUpsert', em, meta, undefined, skip);
  }
}

export interface PreparedUpsert {
  readonly rows: any[];
  /** The rows this call writes and ran the hooks on: not those an outer call handles, nor those MikroORM only merges. */
  readonly written: any[];
  readonly options: AnyOptions;
  /** Runs MikroORM's upsert: its re-entries are its own, and it skips the beforeUpsert event the package ran. */
  write<T>(upsert: () => T): T;
  done(): void;
}

export async function beforeUpsert(em: EntityManager, found: Found | undefined, rows: readonly any[], options: AnyOptions): Promise<PreparedUpsert | undefined> {
  const chain = found?.chains.beforeUpsert ?? null;
  if (chain === null && (found?.chains.afterBulkUpsert ?? null) === null) return undefined;
  const skip = switchedOffPlugins();
  const insertOnly = new Set<string>();
  const control: UpsertControl = {
    insertOnly: field => void insertOnly.add(field),
    onConflictAction: options.onConflictAction ?? 'merge',
    rawConflictTarget: options.onConflictFields !== undefined && !Array.isArray(options.onConflictFields),
  };
  const forked = options.disableIdentityMap ?? em.config.get('disableIdentityMap');
  const marked: object[] = [];
  const out: any[] = [];
  for (const row of rows) {
    if (row === null || typeof row !== 'object' || upserting.has(row) || (!forked && onlyMerged(em, found!.meta, row, options))) {
      out.push(row);
      continue;
    }
    const target = Utils.isEntity(row) ? row : { ...row };
    if (chain !== null) {
      const run = () => dispatch(chain, new UpsertContext(em, found!.meta, skip, control), target);
      const pending = runEntityEvent(em, EventType.beforeUpsert, { entity: target, em, meta: found!.meta }, run);
      if (pending) await pending;
    }
    upserting.add(target);
    marked.push(target);
    out.push(target);
  }
  const merged = insertOnly.size === 0 || options.onConflictMergeFields ? options : { ...options, onConflictExcludeFields: [...(options.onConflictExcludeFields ?? []), ...insertOnly] };
  const write = <T>(upsert: () => T): T =>
    insideUpsert.run(true, () => (chain === null ? upsert() : withEventDispatched(em, EventType.beforeUpsert, found!.meta, upsert)));
  return { rows: out, written: marked, options: merged, write, done: () => marked.forEach(row => upserting.delete(row)) };
}

/** `afterBulkUpsert` for the rows this call wrote; an inner (re-entered) call has none, so the event fires once. */
export function afterUpsert(em: EntityManager, found: Found, prepared: PreparedUpsert, options: AnyOptions): void | false | Promise<void | false> {
  const chain = found.chains.afterBulkUpsert;
  if (chain === null || prepared.written.length === 0) return;
  return runBulk(chain, 'afterBulkUpsert', hookEm(em, options), found.meta, { where: null, data: prepared.written }, prepared.written.length);
}

/** Rows MikroORM's upsert only merges into an entity this EntityManager already manages: the flush saves them (beforeUpdate). */
function onlyMerged(em: EntityManager, meta: EntityMetadata, row: object, options: AnyOptions): boolean {
  if (em.config.get('upsertManaged')) return false;
  if (Utils.isEntity(row)) {
    return entityState(row).managedBy === em;
  }
  const pk = Utils.extractPK(row, meta);
  return pk != null && managedById(em, meta.class, pk, options.schema) !== undefined;
}
