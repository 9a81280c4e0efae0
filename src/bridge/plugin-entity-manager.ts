import type { EntityManager } from '@mikro-orm/core';
import { withDeleteTransaction } from './delete-transaction.js';
import { invalidArgument } from '../errors.js';
import { beforeCreate, hookEm, inOwnTransaction, needsTransaction, pluginsOf, runBulk } from './native-writes.js';
import { deletePerRow, updatePerRow } from './per-row-writes.js';
import { withPluginQueryBuilder } from './plugin-query-builder.js';
import { withReadHooks } from './read-hooks.js';
import { afterUpsert, beforeUpsert, insideUpsert } from './upsert-hooks.js';

export { DEFAULT_ROW_LIMIT, RowLimitError } from './per-row-writes.js';

type EntityManagerClass = abstract new (...args: any[]) => EntityManager;
type AnyOptions = Record<string, any>;

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
    /** mikro-orm-plugins: delete the rows for real. A hook's veto (softDelete's) is overridden; a hook that throws still refuses. */
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
  if (typeof (Base as { prototype?: { getUnitOfWork?: unknown } } | undefined)?.prototype?.getUnitOfWork !== 'function') throw invalidArgument('withPluginEntityManager', 'Base', 'an EntityManager class', Base);
  if (isPluginEntityManagerClass(Base)) return Base;
  // `abstract new` keeps abstract bases assignable; the mixin itself is concrete.
  const Concrete = Base as unknown as new (...args: any[]) => EntityManager;

  // Layers under it: QueryBuilders that run the plugins, the read hooks, and the transaction of flushes with delete hooks.
  class PluginEntityManager extends withPluginQueryBuilder(withReadHooks(withDeleteTransaction(Concrete))) {
    static readonly [MIXED] = true;

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

