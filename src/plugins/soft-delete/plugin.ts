import type { EntityMetadata, FilterQuery } from '@mikro-orm/core';
import { addPluginColumn, deleteAsUpdate, emit, hook, markedColumn, plugin, type AnyQueryBuilder, type BatchAfterHookContext, type BatchHookContext, type ColumnType, type FindOneCall, type HookContext, type JoinContext, type Plugin, type QueryFilterContext, type ReadOptions, type ReadOptionsContext, type SetupContext } from '../../core.js';
import { hardDeleteCascade, softDeleteCascade } from './cascade-delete.js';
import { parentDeletion } from './cascade-parents.js';
import { markOf } from './cascade-marks.js';
import { checkCascadeOption } from './cascade-relations.js';
import { deletedRowsOf } from './deleted-rows-builder.js';
import { checkDeletedTargets, hideOwnersOfDeletedTargets, keepOwnersOfDeletedTargets, reachesDeletedTargets } from './deleted-targets.js';
import { deletedRowsOptions, type OnlyDeletedOptions } from './find-options.js';
import { hiddenByIdentityMap } from './identity-map.js';
import { keepsDeletedOnly } from './only-deleted-root.js';
import { clearedValues, flushStamp, newStamp, stampValues, type DeletionStamp } from './deletion-stamp.js';
import { isHardDeleting } from './hard-delete.js';
import { addLiveUnique } from './live-unique.js';
import { checkDeclaredColumn, checkUniqueOption } from './option-checks.js';
import { SOFT_DELETE_DEFAULTS, validateSoftDeleteOptions, type SoftDeleteOptions } from './options.js';
import { refuseBulkCascade, refuseNoDelete } from './refusals.js';

declare module '../../plugin-api.js' {
  interface PluginOptionsMap {
    softDelete: Partial<SoftDeleteOptions>;
  }
}


declare module '../../events.js' {
  interface CustomHookEvents {
    beforeSoftDelete: undefined;
    afterSoftDelete: undefined;
    beforeRestore: undefined;
    afterRestore: undefined;
  }
}

type Row = Record<string, unknown>;

// Put in the data of a vetoed `nativeDelete` of a softCascade entity: the UPDATE it becomes is refused.
// A symbol, so it never reaches the SQL; with `{ hard: true }` the veto and its data are dropped.
const BULK_CASCADE = Symbol('softDelete:bulkCascade');

/**
 * `em.remove()` + flush sets `deletedAt` instead of deleting: the `beforeDelete` hook vetoes the
 * delete after stamping the entity, and the plugin system saves it as an update with every
 * foreign key kept. Reads hide deleted rows through a `queryFilter`. The `policy` option decides
 * whether a delete is soft, cascades softly, is really done, or is refused.
 */
@plugin({
  name: 'softDelete',
  package: 'mikro-orm-plugins',
  // Metadata only: the package's entry modules register the built-ins (src/index.ts, audit.ts, cache.ts).
  registry: false,
  version: '1.0.0',
  description: 'em.remove() sets deletedAt; reads hide deleted rows; restore() brings them back.',
  events: ['beforeSoftDelete', 'afterSoftDelete', 'beforeRestore', 'afterRestore'],
  options: { defaults: SOFT_DELETE_DEFAULTS, validate: validateSoftDeleteOptions },
})
export class SoftDeletePlugin implements Plugin<SoftDeleteOptions> {
  readonly #deleting = new WeakSet<object>();
  readonly #restoring = new WeakSet<object>();

  setupEntity(meta: EntityMetadata, ctx: SetupContext<SoftDeleteOptions>): void {
    const { options, platform, plugin: pluginName } = ctx;
    const column = (option: 'field' | 'batchField' | 'deletedBy', name: string, type: ColumnType, index?: boolean) => {
      // NULL means live: rows already in the table, and rows written past the hooks, are live.
      const spec = { plugin: pluginName, option, name, column: options.columns?.[name], type, nullable: true, index, existingColumn: 'refuse', optional: option !== 'field' } as const;
      const resolved = markedColumn(meta, platform, spec) ?? addPluginColumn(meta, platform, spec);
      if (resolved.added === undefined) checkDeclaredColumn(meta, option, name);
    };
    column('field', options.field, 'Date', options.index !== false);
    if (options.batchField !== false) column('batchField', options.batchField, 'string');
    if (options.deletedBy !== false) column('deletedBy', options.deletedBy, 'string');
    checkCascadeOption(meta, options);
    checkUniqueOption(meta, options.unique);
    for (const unique of options.unique) addLiveUnique(meta, platform, options.field, typeof unique === 'string' ? [unique] : unique);
    checkDeletedTargets(meta, options.deletedTargets);
    ctx.provide('softDeletable', { field: options.field });
  }

  @hook('queryFilter')
  hideDeleted({ options, args, meta }: QueryFilterContext<SoftDeleteOptions>): FilterQuery<any> {
    return { [options.field]: keepsDeletedOnly(args, meta) ? { $ne: null } : null };
  }

  /** `withDeleted` / `onlyDeleted` become the softDelete filter's arguments, on every read: a populate reaches soft-deletable entities from any entity. */
  @hook('readOptions', { appliesTo: 'all' })
  deletedRowsOptions(options: ReadOptions, ctx: ReadOptionsContext): ReadOptions {
    return deletedRowsOptions(ctx.meta, options);
  }

  /**
   * MikroORM answers `findOne` from the identity map without a query, so an entity soft-deleted in this
   * context would come back: answer null instead. Single-table inheritance roots too, whose reads may
   * return a soft-deletable child. Any `filters` option makes MikroORM query, so the database answers.
   */
  @hook('interceptFindOne', { priority: -100, appliesTo: (meta, optionsOf) => optionsOf(meta) !== undefined || meta.discriminatorColumn !== undefined })
  hideManagedDeleted(call: FindOneCall): Promise<unknown> {
    const pending = call.load();
    if (call.findOptions.filters != null) return pending;
    return pending.then(found => (found != null && hiddenByIdentityMap(call.em, found) ? null : found));
  }

  /** `deletedTargets: null` (the default): owners of a NOT NULL relation to a deleted row stay, joined with a LEFT JOIN. */
  @hook('afterJoinsPlanned', { appliesTo: reachesDeletedTargets })
  keepOwners(options: { populate?: unknown; filters?: unknown }, ctx: JoinContext): void {
    keepOwnersOfDeletedTargets(ctx.em, ctx.meta, options);
  }

  /** `deletedTargets: 'hide'`: owners of a deleted row are left out. */
  @hook('joinedFilters', { appliesTo: reachesDeletedTargets })
  hideOwners(conditions: Readonly<Record<string, unknown>>, ctx: JoinContext): void {
    hideOwnersOfDeletedTargets(ctx.em, ctx.meta, ctx.findOptions.filters, conditions);
  }

  /**
   * Runs in the flush for each entity being deleted, cascaded ones included (a parent marks them
   * with its batch, or as hard). `false` vetoes the DELETE: the stamped entity is saved as an update.
   */
  @hook('beforeDelete')
  softDelete(entity: Row, ctx: HookContext<SoftDeleteOptions>): void | false | Promise<void | false> {
    const { options, em, meta } = ctx;
    if (options.policy === 'noDelete') throw refuseNoDelete(meta.className);
    const mark = markOf(ctx.changeSet);
    if (options.policy === 'hard' || mark?.kind === 'hard' || isHardDeleting(entity)) return hardDeleteCascade(em, entity, meta, options);
    // Already deleted (as loaded; a stamp left by a failed flush does not count): keep it so, in its own batch.
    if (((em.getUnitOfWork().getOriginalEntityData(entity) as Row | undefined) ?? entity)[options.field] != null) return false;
    const parent = mark ? undefined : parentDeletion(em, entity, meta);
    if (parent === 'alreadyDeleted') return false; // removing a deleted row changes nothing below it either
    const stamp = mark?.stamp ?? parent?.stamp ?? flushStamp(ctx);
    const pending = emit(em, 'beforeSoftDelete', entity);
    return pending ? pending.then(() => this.#stamp(entity, ctx, stamp)) : this.#stamp(entity, ctx, stamp);
  }

  /** Keeps the row with the stamp written instead (`deleteAsUpdate`): the plugin system may write a flush's soft deletes together. */
  #stamp(entity: Row, ctx: HookContext<SoftDeleteOptions>, stamp: DeletionStamp): false | Promise<false> {
    const { options, em, meta } = ctx;
    deleteAsUpdate(ctx, entity, stampValues(options, stamp));
    this.#deleting.add(entity);
    return options.policy === 'softCascade' ? softDeleteCascade(em, entity, meta, options, stamp).then(() => false) : false;
  }

  /**
   * `em.nativeDelete`: vetoes the DELETE and asks for an UPDATE setting the field, one batch id for
   * the call (and `deletedBy`) instead; rows the filter hides, already deleted, are not touched.
   * `{ hard: true }` deletes for real, as the `hard` policy always does; `noDelete` refuses.
   */
  @hook('beforeBulkDelete')
  softDeleteMany(_entityName: string, _where: unknown, data: Row, { options, em, meta }: HookContext<SoftDeleteOptions>): void | false {
    if (options.policy === 'noDelete') throw refuseNoDelete(meta.className);
    if (options.policy === 'hard') return;
    Object.assign(data, stampValues(options, newStamp(em)));
    if (options.policy === 'softCascade') data[BULK_CASCADE as never] = true;
    return false;
  }

  /** `nativeUpdate`: refuses the soft update a softCascade `nativeDelete` became; clearing the field clears the batch and `deletedBy` too. */
  @hook('beforeBulkUpdate')
  bulkUpdate(_entityName: string, _where: unknown, data: Row, { options, meta }: HookContext<SoftDeleteOptions>): void {
    if (data[BULK_CASCADE as never] === true) throw refuseBulkCascade(meta.className);
    if (Object.hasOwn(data, options.field) && data[options.field] === null) Object.assign(data, clearedValues(options));
  }

  /**
   * A restore (`restore()`, or the field set back to null): clears the batch and `deletedBy` too, and
   * fires `beforeRestore`. A batch hook, so the update chain of soft-deletable entities can run once
   * per class and flush; the entity's snapshot still holds the row as loaded when it runs.
   */
  @hook('beforeUpdate', { batch: true })
  noticeRestore(entities: readonly Row[], ctx: BatchHookContext<SoftDeleteOptions>): void | Promise<void> {
    return this.#restoreFrom(entities, 0, ctx);
  }

  /** Sync until a `beforeRestore` hook returns a promise; the events fire one entity after another. */
  #restoreFrom(entities: readonly Row[], start: number, ctx: BatchHookContext<SoftDeleteOptions>): void | Promise<void> {
    const { options, em } = ctx;
    const uow = em.getUnitOfWork();
    // Run per entity (MikroORM's event), the context has the change set, whose snapshot an `onFlush` recompute cannot have replaced.
    const changeSet = (ctx as Partial<HookContext>).changeSet;
    for (let i = start; i < entities.length; i++) {
      const entity = entities[i]!;
      if (entity[options.field] != null) continue;
      const original = (changeSet?.entity === entity ? changeSet.originalEntity : uow.getOriginalEntityData(entity)) as Row | undefined;
      if (original?.[options.field] == null) continue;
      const cleared = clearedValues(options);
      for (const property of Object.keys(cleared)) ctx.set(entity, property, cleared[property]);
      this.#restoring.add(entity);
      const pending = emit(em, 'beforeRestore', entity);
      if (pending instanceof Promise) return pending.then(() => this.#restoreFrom(entities, i + 1, ctx));
    }
  }

  /**
   * `afterSoftDelete` and `afterRestore`, entity after entity. A batch hook, so a class whose other
   * after-hooks batch too (audit's) needs no per-entity event from MikroORM.
   */
  @hook('afterUpdate', { batch: true })
  announce(entities: readonly Row[], ctx: BatchAfterHookContext<SoftDeleteOptions>): void | Promise<void> {
    return this.#announceFrom(entities, 0, ctx.em);
  }

  /** Sync until an event's hook returns a promise. */
  #announceFrom(entities: readonly Row[], start: number, em: BatchAfterHookContext['em']): void | Promise<void> {
    for (let i = start; i < entities.length; i++) {
      const entity = entities[i]!;
      const pending = this.#deleting.delete(entity) ? emit(em, 'afterSoftDelete', entity) : this.#restoring.delete(entity) ? emit(em, 'afterRestore', entity) : undefined;
      if (pending instanceof Promise) return pending.then(() => this.#announceFrom(entities, i + 1, em));
    }
  }
}


/**
 * Filter options for one query: `em.find(User, {}, withDeleted())`. Given a QueryBuilder from the
 * package's EntityManager, sets it on the builder and returns it: `withDeleted(em.qb(User))`.
 */
export function withDeleted(): { filters: { softDelete: false } };
export function withDeleted<Q extends AnyQueryBuilder>(qb: Q): Q;
export function withDeleted(qb?: AnyQueryBuilder): object {
  return qb === undefined ? { filters: { softDelete: false } } : deletedRowsOf(qb, false);
}

/**
 * Only soft-deleted rows: `em.find(User, {}, onlyDeleted())`, or `onlyDeleted(em.qb(User))` for a
 * QueryBuilder. `{ relations: ['books'] }` asks deleted rows of those relations' targets too.
 */
export function onlyDeleted(options?: OnlyDeletedOptions): { filters: { softDelete: { only: true; relations?: readonly string[] } } };
export function onlyDeleted<Q extends AnyQueryBuilder>(qb: Q, options?: OnlyDeletedOptions): Q;
export function onlyDeleted(qbOrOptions?: AnyQueryBuilder | OnlyDeletedOptions, options?: OnlyDeletedOptions): object {
  if (qbOrOptions === undefined || isPlainOptions(qbOrOptions)) {
    const relations = (qbOrOptions as OnlyDeletedOptions | undefined)?.relations;
    return { filters: { softDelete: relations === undefined ? { only: true } : { only: true, relations } } };
  }
  return deletedRowsOf(qbOrOptions, true, options?.relations);
}

// A QueryBuilder is a class instance; anything else not an options object is left to deletedRowsOf's typed error.
const isPlainOptions = (value: unknown): value is OnlyDeletedOptions =>
  value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value));
