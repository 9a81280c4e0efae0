import type { ChangeSet, EntityManager, EntityMetadata, FilterQuery } from '@mikro-orm/core';

/** What a hook may return: nothing, or a promise of nothing. Sync hooks never cost a promise. */
export type HookResult = void | Promise<void>;

/** `beforeDelete` may return `false` to veto the hard delete. */
export type VetoResult = void | boolean | Promise<void | boolean>;

export type ChangeKind = 'create' | 'update' | 'delete';

export interface FieldChange {
  old: unknown;
  new: unknown;
}

/** What `afterChange` receives: the kind of write and the changed fields, in database form. */
export interface EntityChanges<E = any> {
  kind: ChangeKind;
  fields: { [K in keyof E & string]?: FieldChange };
}

/** Context handed to every hook. It lives for one dispatch; do not keep it. */
export interface HookContext<O = any, E = any> {
  /** The event being dispatched. For `beforeSave` hooks this is `beforeCreate`, `beforeUpdate` or `beforeUpsert`. */
  readonly event: HookEventName;
  /** The plugin whose hook is running. */
  readonly plugin: string;
  /** This plugin's options for this entity, defaults applied and validated at start-up. */
  readonly options: O;
  readonly em: EntityManager;
  readonly meta: EntityMetadata<E>;
  /** Present during a flush. */
  readonly changeSet: ChangeSet<E & object> | undefined;
  /** Present in `beforeUpsert` only. */
  readonly upsert?: UpsertControl<E> | undefined;
  /**
   * Present in the after-bulk events only: the rows the operation wrote. For `nativeUpdate` and
   * `nativeDelete` the database's affected-row count; for `insert`/`insertMany`/`upsert`/`upsertMany`
   * the number of rows written (inserted or merged).
   */
  readonly affected?: number | undefined;
}

/** What a `beforeUpsert` hook may tell the upsert (`ctx.upsert`). */
export interface UpsertControl<E = any> {
  /**
   * Writes the field on insert only: when the row already exists, the conflict merge leaves its
   * value alone (MikroORM's `onConflictExcludeFields`). For values a hook filled in, such as `createdAt`.
   * Ignored when the caller names `onConflictMergeFields`.
   */
  insertOnly(field: keyof E & string): void;
  /** The caller's `onConflictAction`: `'merge'` (MikroORM's default) or `'ignore'`. */
  readonly onConflictAction?: 'merge' | 'ignore' | undefined;
  /**
   * `onConflictFields` is raw SQL, not a list of properties. MikroORM then reads the row back by every
   * value written (always for `'ignore'`, without `RETURNING` for a merge), so a value a hook adds
   * must be one the stored row can match.
   */
  readonly rawConflictTarget?: boolean | undefined;
}

/** Context of a `queryFilter` hook: MikroORM calls it for each read, update or delete of the entity. */
export interface QueryFilterContext<O = any, E = any> {
  readonly plugin: string;
  readonly options: O;
  readonly em: EntityManager;
  readonly meta: EntityMetadata<E>;
  /** Per-call arguments: `filters: { [pluginName]: args }` on a find. */
  readonly args: Record<string, unknown> | undefined;
  readonly type: 'read' | 'update' | 'delete';
}

/**
 * Events a plugin declares for application code to fire with `emit()`.
 * Extend it by module augmentation; the value is the payload type:
 *
 *     declare module 'mikro-orm-plugins' {
 *       interface CustomHookEvents { afterAccess: { user: string } }
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CustomHookEvents {}

/** Signatures of the built-in events. `E` is the entity, `O` the plugin's options. */
export interface BuiltInHooks<E = any, O = any> {
  beforeCreate(entity: E, ctx: HookContext<O, E>): HookResult;
  afterCreate(entity: E, ctx: HookContext<O, E>): HookResult;
  beforeUpdate(entity: E, ctx: HookContext<O, E>): HookResult;
  afterUpdate(entity: E, ctx: HookContext<O, E>): HookResult;
  /** Runs in the create and the update chain. */
  beforeSave(entity: E, ctx: HookContext<O, E>): HookResult;
  /** Runs in the create and the update chain. */
  afterSave(entity: E, ctx: HookContext<O, E>): HookResult;
  /** Return `false` to veto the hard delete; changes made to the entity are then saved as an update. */
  beforeDelete(entity: E, ctx: HookContext<O, E>): VetoResult;
  afterDelete(entity: E, ctx: HookContext<O, E>): HookResult;
  /** After a create, update or delete was written, inside the flush's transaction. */
  afterChange(entity: E, changes: EntityChanges<E>, ctx: HookContext<O, E>): HookResult;
  /**
   * After the transaction that wrote a create, update or delete committed; never for a rolled-back write.
   * It cannot undo anything: errors go to `pluginSystem({ onError })` instead of the caller.
   */
  afterCommit(entity: E, changes: EntityChanges<E>, ctx: HookContext<O, E>): HookResult;
  /**
   * Before `em.upsert`/`upsertMany` writes a row, once per row, on the data object or entity given.
   * `beforeSave` hooks run here too. Rows MikroORM only merges into an entity it already manages
   * (no write) are skipped: the flush that saves them runs `beforeUpdate`.
   */
  beforeUpsert(entity: E, ctx: HookContext<O, E>): HookResult;
  /** Before `em.nativeUpdate`: hooks may add to `data` (it is what gets written). No entities are loaded. */
  beforeBulkUpdate(entityName: string, where: FilterQuery<E>, data: Record<string, unknown>, ctx: HookContext<O, E>): HookResult;
  /** After `em.nativeUpdate` wrote. */
  afterBulkUpdate(entityName: string, where: FilterQuery<E>, data: Record<string, unknown>, ctx: HookContext<O, E>): HookResult;
  /**
   * Before `em.nativeDelete`. Return `false` to veto: the delete becomes `em.nativeUpdate(entityName, where, data)`
   * (hooks fill `data`, which starts empty), unless the caller passed `{ hard: true }`.
   */
  beforeBulkDelete(entityName: string, where: FilterQuery<E>, data: Record<string, unknown>, ctx: HookContext<O, E>): VetoResult;
  /** After `em.nativeDelete` really deleted (not after a vetoed one: that fires `afterBulkUpdate`). */
  afterBulkDelete(entityName: string, where: FilterQuery<E>, data: Record<string, unknown>, ctx: HookContext<O, E>): HookResult;
  /**
   * After `em.insert`/`insertMany` wrote, inside the same transaction: `where` is `null`, `data` the rows
   * as written (data objects after the `beforeCreate` chain, or the entities given). Not for a flush's inserts.
   */
  afterBulkInsert(entityName: string, where: null, data: readonly Record<string, unknown>[], ctx: HookContext<O, E>): HookResult;
  /**
   * After `em.upsert`/`upsertMany` wrote, inside the same transaction: `where` is `null`, `data` the rows
   * as written (after the `beforeUpsert` chain); rows MikroORM only merged into a managed entity are left out.
   */
  afterBulkUpsert(entityName: string, where: null, data: readonly Record<string, unknown>[], ctx: HookContext<O, E>): HookResult;
  /** After an entity was loaded from the database (MikroORM `onLoad`). */
  afterLoad(entity: E, ctx: HookContext<O, E>): HookResult;
  /** A where-condition added to every read, update and delete of the entity, through a MikroORM filter. */
  queryFilter(ctx: QueryFilterContext<O, E>): FilterQuery<E> | undefined | Promise<FilterQuery<E> | undefined>;
}

export type CustomHookSignature<P, E = any, O = any> = (entity: E, payload: P, ctx: HookContext<O, E>) => HookResult;

export type AllHooks<E = any, O = any> = BuiltInHooks<E, O> & {
  [K in keyof CustomHookEvents]: CustomHookSignature<CustomHookEvents[K], E, O>;
};

export type BuiltInEventName = keyof BuiltInHooks;
export type CustomEventName = keyof CustomHookEvents & string;
export type HookEventName = BuiltInEventName | CustomEventName;

/** The method type a hook on `K` must have. */
export type HookFunction<K extends HookEventName> = AllHooks[K];

/**
 * How the dispatcher treats results (after Rollup's hook kinds):
 * - `sequential`: every hook runs in order, results are ignored;
 * - `veto`: a hook returning `false` stops the chain and vetoes the operation;
 * - `filter`: each hook returns a where-condition; MikroORM applies them (not run by the dispatcher).
 */
export type HookKind = 'sequential' | 'veto' | 'filter';

export const BUILT_IN_EVENTS = {
  beforeCreate: 'sequential',
  afterCreate: 'sequential',
  beforeUpdate: 'sequential',
  afterUpdate: 'sequential',
  beforeSave: 'sequential',
  afterSave: 'sequential',
  beforeDelete: 'veto',
  afterDelete: 'sequential',
  afterChange: 'sequential',
  afterCommit: 'sequential',
  afterLoad: 'sequential',
  beforeUpsert: 'sequential',
  beforeBulkUpdate: 'sequential',
  afterBulkUpdate: 'sequential',
  beforeBulkDelete: 'veto',
  afterBulkDelete: 'sequential',
  afterBulkInsert: 'sequential',
  afterBulkUpsert: 'sequential',
  queryFilter: 'filter',
} as const satisfies Record<BuiltInEventName, HookKind>;

export type DispatchedEvent = Exclude<HookEventName, 'beforeSave' | 'afterSave' | 'queryFilter'>;

/** `beforeSave`/`afterSave` are not dispatched themselves: their hooks join the create, update (and upsert) chains. */
export const COMPOSITE_EVENTS: Readonly<Record<string, readonly DispatchedEvent[]>> = {
  beforeSave: ['beforeCreate', 'beforeUpdate', 'beforeUpsert'],
  afterSave: ['afterCreate', 'afterUpdate'],
};

/** Events whose hooks are called `(entityName, where, data, ctx)`: native bulk writes, with no entity. */
export const BULK_EVENTS: ReadonlySet<string> = new Set<BuiltInEventName>([
  'beforeBulkUpdate',
  'afterBulkUpdate',
  'beforeBulkDelete',
  'afterBulkDelete',
  'afterBulkInsert',
  'afterBulkUpsert',
]);

export function isBuiltInEvent(name: string): name is BuiltInEventName {
  return Object.hasOwn(BUILT_IN_EVENTS, name);
}

export function eventKind(name: string): HookKind {
  return isBuiltInEvent(name) ? BUILT_IN_EVENTS[name] : 'sequential';
}
