import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, EventType, Utils, type EntityMetadata } from '@mikro-orm/core';
import { DispatchContext, type Chain } from '../chain/chain.js';
import { dispatch } from '../chain/dispatch.js';
import type { EntityChains } from '../chain/build-chains.js';
import { PluginError } from '../errors.js';
import type { DispatchedEvent, UpsertControl } from '../events.js';
import { findRuntime } from './runtimes.js';
import { findOneInterceptors, interceptFindOne } from './find-one-hook.js';
import { entityState, managedById, withEventDispatched } from './orm-internals.js';
import { runEntityEvent } from './event-order.js';
import { withPluginQueryBuilder } from './plugin-query-builder.js';
import { withSoftDeleteReading } from '../plugins/soft-delete/reading-entity-manager.js';
import type { PluginRuntime } from './plugin-runtime.js';
import { switchedOffPlugins, withoutPlugins } from './scope.js';

declare module '@mikro-orm/core' {
  interface UpdateOptions<T> {
    /**
     * mikro-orm-plugins: load the matching rows (at most `rowLimit`) and update them through a flush,
     * so the per-entity hooks run (beforeUpdate, afterChange…) instead of the bulk ones.
     */
    perRow?: boolean;
    /** mikro-orm-plugins: most rows `perRow` may load; more fails with `RowLimitError` before anything is written. */
    rowLimit?: number;
  }
  interface DeleteOptions<T> {
    /** mikro-orm-plugins: delete the rows for real, even when a `beforeBulkDelete` hook (soft delete) vetoes. */
    hard?: boolean;
    /**
     * mikro-orm-plugins: load the matching rows (at most `rowLimit`) and remove them through a flush (per-entity hooks).
     * With `hard: true`, `beforeBulkDelete` runs first, as in bulk mode: a hook that throws refuses, a veto is overridden.
     */
    perRow?: boolean;
    /** mikro-orm-plugins: most rows `perRow` may load. */
    rowLimit?: number;
  }
}

/** Rows `perRow` loads at most when neither the call nor `pluginSystem({ rowLimit })` says. */
export const DEFAULT_ROW_LIMIT = 1000;

/** A `perRow` operation matched more rows than its limit; nothing was written. */
export class RowLimitError extends PluginError {
  override name = 'RowLimitError';
  readonly limit: number;

  constructor(entity: string, operation: 'nativeUpdate' | 'nativeDelete', limit: number) {
    super(
      'MOP_ROW_LIMIT',
      `${operation}(${entity}, …, { perRow: true }) matches more than ${limit} rows; nothing was written. Raise rowLimit or narrow the where-condition`,
      { entity },
    );
    this.limit = limit;
  }
}

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;
type AnyOptions = Record<string, any>;

const MIXED = Symbol.for('mikro-orm-plugins:entity-manager');

/** Whether a class already carries the plugin overrides. */
export function isPluginEntityManagerClass(cls: unknown): boolean {
  return typeof cls === 'function' && (cls as unknown as Record<symbol, unknown>)[MIXED] === true;
}

/**
 * Adds the plugin system to an EntityManager class: `insert`, `insertMany`, `upsert`, `upsertMany`,
 * `nativeUpdate` and `nativeDelete` run the plugins' hooks. `pluginSystem()` applies it to the
 * configured `entityManager` (or the driver's own class), so a subclass of your own keeps working;
 * forks, transactions and repositories keep the class. Applying it twice changes nothing.
 */
export function withPluginEntityManager<T extends EntityManagerClass>(Base: T): T {
  if (isPluginEntityManagerClass(Base)) return Base;
  // `abstract new` keeps abstract bases assignable; the mixin itself is concrete.
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager;

  // Layers under it: QueryBuilders that run the plugins, and soft-delete reads (withDeleted, identity map, deletedTargets).
  class PluginEntityManager extends withPluginQueryBuilder(withSoftDeleteReading(Concrete)) {
    static readonly [MIXED] = true;

    // Plugins' `interceptFindOne` (the cache plugin's) may answer findOne, findOneOrFail and reference loads; one lookup when none does.
    override findOne(entityName: any, where: any, options?: any): Promise<any> {
      const table = findOneInterceptors(this);
      if (table === null) return super.findOne(entityName, where, options);
      return interceptFindOne(this, table, entityName, where, options, () => super.findOne(entityName, where, options));
    }

    override async insert(entityNameOrEntity: any, data?: any, options: AnyOptions = {}): Promise<any> {
      const em = this.getContext(false);
      const single = data === undefined;
      const entityName = single ? entityNameOrEntity.constructor : entityNameOrEntity;
      const found = pluginsOf(em, entityName);
      const after = found?.chains.afterBulkInsert ?? null;
      if (after !== null && needsTransaction(em, options)) return inOwnTransaction(em, options, inner => em.insert(entityNameOrEntity, data, inner));
      const target = await beforeCreate(em, found, [single ? entityNameOrEntity : data]);
      const id = await (single ? super.insert(target[0], undefined, options) : super.insert(entityNameOrEntity, target[0], options));
      if (after !== null) await runBulk(after, 'afterBulkInsert', hookEm(em, options), found!.meta, { where: null, data: target }, target.length);
      return id;
    }

    override async insertMany(entityNameOrEntities: any, data?: any, options: AnyOptions = {}): Promise<any[]> {
      const em = this.getContext(false);
      const single = data === undefined;
      const rows: any[] = single ? entityNameOrEntities : data;
      if (!Array.isArray(rows) || rows.length === 0) return super.insertMany(entityNameOrEntities, data, options);
      const found = pluginsOf(em, single ? rows[0].constructor : entityNameOrEntities);
      const after = found?.chains.afterBulkInsert ?? null;
      if (after !== null && needsTransaction(em, options)) return inOwnTransaction(em, options, inner => em.insertMany(entityNameOrEntities, data, inner));
      const target = await beforeCreate(em, found, rows);
      const ids = await (single ? super.insertMany(target, undefined, options) : super.insertMany(entityNameOrEntities, target, options));
      if (after !== null) await runBulk(after, 'afterBulkInsert', hookEm(em, options), found!.meta, { where: null, data: target }, target.length);
      return ids;
    }

    override async upsert(entityNameOrEntity: any, data?: any, options: AnyOptions = {}): Promise<any> {
      if (insideUpsert.getStore()) return super.upsert(entityNameOrEntity, data, options);
      const em = this.getContext(false);
      const single = data === undefined;
      const found = pluginsOf(em, single ? entityNameOrEntity.constructor : entityNameOrEntity);
      if (found?.chains.afterBulkUpsert != null && needsTransaction(em, options)) {
        return inOwnTransaction(em, options, inner => em.upsert(entityNameOrEntity, data, inner));
      }
      const prepared = await beforeUpsert(em, found, [single ? entityNameOrEntity : data], options);
      if (!prepared) return super.upsert(entityNameOrEntity, data, options);
      const [row] = prepared.rows;
      try {
        const result = await prepared.write(() => (single ? super.upsert(row, undefined, prepared.options) : super.upsert(entityNameOrEntity, row, prepared.options)));
        await afterUpsert(em, found!, prepared, options);
        return result;
      } finally {
        prepared.done();
      }
    }

    override async upsertMany(entityNameOrEntities: any, data?: any, options: AnyOptions = {}): Promise<any[]> {
      if (insideUpsert.getStore()) return super.upsertMany(entityNameOrEntities, data, options);
      const em = this.getContext(false);
      const single = data === undefined;
      const rows: any[] = single ? entityNameOrEntities : data;
      if (!Array.isArray(rows) || rows.length === 0) return super.upsertMany(entityNameOrEntities, data, options);
      const found = pluginsOf(em, single ? rows[0].constructor : entityNameOrEntities);
      if (found?.chains.afterBulkUpsert != null && needsTransaction(em, options)) {
        return inOwnTransaction(em, options, inner => em.upsertMany(entityNameOrEntities, data, inner));
      }
      const prepared = await beforeUpsert(em, found, rows, options);
      if (!prepared) return super.upsertMany(entityNameOrEntities, data, options);
      try {
        const result = await prepared.write(() =>
          single ? super.upsertMany(prepared.rows, undefined, prepared.options) : super.upsertMany(entityNameOrEntities, prepared.rows, prepared.options),
        );
        await afterUpsert(em, found!, prepared, options);
        return result;
      } finally {
        prepared.done();
      }
    }

    override async nativeUpdate(entityName: any, where: any, data: any, options: AnyOptions = {}): Promise<number> {
      const { perRow, rowLimit, ...rest } = options;
      const em = this.getContext(false);
      const found = pluginsOf(em, entityName);
      if (!found) return super.nativeUpdate(entityName, where, data, rest);
      if (perRow === true) return updatePerRow(em, found, where, data, rest, rowLimit);
      const { meta, chains } = found;
      if (chains.beforeBulkUpdate === null && chains.afterBulkUpdate === null) return super.nativeUpdate(entityName, where, data, rest);
      if (chains.afterBulkUpdate !== null && needsTransaction(em, options)) return inOwnTransaction(em, options, inner => em.nativeUpdate(entityName, where, data, inner));
      const payload = { where, data: { ...data } as Record<string, unknown> };
      await runBulk(chains.beforeBulkUpdate, 'beforeBulkUpdate', em, meta, payload);
      const count = await super.nativeUpdate(entityName, where, payload.data, rest);
      await runBulk(chains.afterBulkUpdate, 'afterBulkUpdate', hookEm(em, rest), meta, payload, count);
      return count;
    }

    override async nativeDelete(entityName: any, where: any, options: AnyOptions = {}): Promise<number> {
      const { hard, perRow, rowLimit, ...rest } = options;
      const em = this.getContext(false);
      const found = pluginsOf(em, entityName);
      if (!found) return super.nativeDelete(entityName, where, rest);
      if (perRow === true) {
        // As in bulk mode, `hard` overrides a veto but not a refusal: a hook that throws (noDelete) still stops it.
        if (hard === true) await runBulk(found.chains.beforeBulkDelete, 'beforeBulkDelete', em, found.meta, { where, data: {} });
        return deletePerRow(em, found, where, rest, rowLimit, hard === true);
      }
      const { meta, chains } = found;
      if (chains.beforeBulkDelete === null && chains.afterBulkDelete === null) return super.nativeDelete(entityName, where, rest);
      if (chains.afterBulkDelete !== null && needsTransaction(em, options)) return inOwnTransaction(em, options, inner => em.nativeDelete(entityName, where, inner));
      const payload = { where, data: {} as Record<string, unknown> };
      const verdict = await runBulk(chains.beforeBulkDelete, 'beforeBulkDelete', em, meta, payload);
      if (verdict === false && hard !== true) {
        // Vetoed: the hooks' data is written instead (a soft delete), through nativeUpdate and its hooks.
        return Object.keys(payload.data).length === 0 ? 0 : this.nativeUpdate(entityName, where, payload.data, rest);
      }
      const count = await super.nativeDelete(entityName, where, rest);
      await runBulk(chains.afterBulkDelete, 'afterBulkDelete', hookEm(em, rest), meta, payload, count);
      return count;
    }
  }

  Object.defineProperty(PluginEntityManager, 'name', { value: Base.name });
  return PluginEntityManager as unknown as T;
}

interface Found {
  readonly runtime: PluginRuntime;
  readonly meta: EntityMetadata;
  readonly chains: EntityChains;
}

function pluginsOf(em: EntityManager, entityName: unknown): Found | undefined {
  const runtime = findRuntime(em);
  if (!runtime || entityName == null) return undefined;
  const meta = em.getMetadata().find(entityName as never);
  const chains = runtime.chainsOf(meta);
  return meta && chains ? { runtime, meta, chains } : undefined;
}

/** Runs the `beforeCreate` chain (with its `beforeSave` hooks) on each row; data objects are copied first, entities are not. */
async function beforeCreate(em: EntityManager, found: Found | undefined, rows: readonly any[]): Promise<any[]> {
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

/** Rows whose `beforeUpsert` hooks already ran in an outer call (MikroORM re-enters upsert for batches and forks). */
const upserting = new WeakSet<object>();
/** Set while MikroORM runs an upsert the hooks ran for: its inner upsert calls (on copies of the rows, in some versions) are its own. */
const insideUpsert = new AsyncLocalStorage<true>();

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

interface PreparedUpsert {
  readonly rows: any[];
  /** The rows this call writes and ran the hooks on: not those an outer call handles, nor those MikroORM only merges. */
  readonly written: any[];
  readonly options: AnyOptions;
  /** Runs MikroORM's upsert: its re-entries are its own, and it skips the beforeUpsert event the package ran. */
  write<T>(upsert: () => T): T;
  done(): void;
}

async function beforeUpsert(em: EntityManager, found: Found | undefined, rows: readonly any[], options: AnyOptions): Promise<PreparedUpsert | undefined> {
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
function afterUpsert(em: EntityManager, found: Found, prepared: PreparedUpsert, options: AnyOptions): void | false | Promise<void | false> {
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

function runBulk(
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
function needsTransaction(em: EntityManager, options: AnyOptions): boolean {
  if (inTransaction.has(options) || options.ctx != null || em.isInTransaction()) return false;
  return em.config.get('implicitTransactions') === true && em.getPlatform().supportsTransactions();
}

/**
 * Runs the operation again on the caller's em inside a new transaction, passed as `ctx`: the
 * identity map is the caller's, as without the transaction. The fork `em.transactional` makes is
 * cleared, so the caller's pending changes are not flushed with it.
 */
function inOwnTransaction<T>(em: EntityManager, options: AnyOptions, run: (options: AnyOptions) => Promise<T>): Promise<T> {
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
function hookEm(em: EntityManager, options: AnyOptions): EntityManager {
  const ctx = options.ctx;
  if (ctx == null || ctx === em.getTransactionContext()) return em;
  const fork = em.fork({ clear: true });
  fork.setTransactionContext(ctx);
  return fork;
}

/** Loads the rows a native operation would touch, in a fork that shares the caller's transaction. */
async function loadRows(em: EntityManager, found: Found, where: unknown, options: AnyOptions, rowLimit: number | undefined, operation: 'nativeUpdate' | 'nativeDelete') {
  const limit = rowLimit ?? found.runtime.rowLimit ?? DEFAULT_ROW_LIMIT;
  const fork = em.fork({ keepTransactionContext: true, clear: true });
  const rows = await fork.find(found.meta.class, where as never, {
    filters: options.filters,
    schema: options.schema,
    limit: limit + 1,
  });
  if (rows.length > limit) throw new RowLimitError(found.meta.className, operation, limit);
  return { fork, rows };
}

async function updatePerRow(em: EntityManager, found: Found, where: unknown, data: object, options: AnyOptions, rowLimit: number | undefined): Promise<number> {
  const { fork, rows } = await loadRows(em, found, where, options, rowLimit, 'nativeUpdate');
  for (const row of rows) fork.assign(row, data as never);
  await fork.flush();
  return rows.length;
}

async function deletePerRow(em: EntityManager, found: Found, where: unknown, options: AnyOptions, rowLimit: number | undefined, hard: boolean): Promise<number> {
  const { fork, rows } = await loadRows(em, found, where, options, rowLimit, 'nativeDelete');
  for (const row of rows) fork.remove(row);
  // A hard delete switches off the plugins that could veto it, as `hardDelete()` does for softDelete.
  const vetoing = hard ? [...new Set((found.chains.beforeDelete?.links ?? []).map(l => l.plugin))] : [];
  await (vetoing.length > 0 ? withoutPlugins(vetoing, () => fork.flush()) : fork.flush());
  return rows.length;
}
