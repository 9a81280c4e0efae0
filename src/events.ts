import type { ChangeSet, EntityManager, EntityMetadata, FilterQuery } from '@mikro-orm/core';
import type { FindOneCall, JoinContext, QueryFilterContext, ReadOptions, ReadOptionsContext } from './read-contexts.js';

export type { FindOneCall, JoinContext, QueryFilterContext, ReadContext, ReadMethod, ReadOptions, ReadOptionsContext } from './read-contexts.js';

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

/** What every entity hook's context holds, per-entity and batch alike. */
export interface EntityHookCall<O = any, E = any> {
  /** The event being dispatched. For `beforeSave` hooks this is `beforeCreate`, `beforeUpdate` or `beforeUpsert`. */
  readonly event: HookEventName;
  /** The plugin whose hook is running. */
  readonly plugin: string;
  /** This plugin's options for this entity, defaults applied and validated at start-up. */
  readonly options: O;
  readonly em: EntityManager;
  readonly meta: EntityMetadata<E>;
}

/** Context handed to every hook. It lives for one dispatch; do not keep it. */
export interface HookContext<O = any, E = any> extends EntityHookCall<O, E> {
  /** Present during a flush. */
  readonly changeSet: ChangeSet<E & object> | undefined;
  /**
   * In `beforeDelete` hooks: the flush running them, one object per flush, the same for all its
   * deletes. A WeakMap key for what they share (the soft delete's one batch and time per flush).
   */
  readonly flush?: object | undefined;
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

/**
 * The kind of a custom event that is not `sequential`, by module augmentation; it must match the
 * plugin's `@plugin({ events: { name: kind } })`, which the compiler checks:
 *
 *     declare module 'mikro-orm-plugins' {
 *       interface CustomHookEvents { approveRefund: { amount: number } }
 *       interface CustomEventKinds { approveRefund: 'veto' }
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CustomEventKinds {}

/** The kinds a custom event may have: `emit()` returns nothing, whether it was allowed, or the final value. */
export type CustomEventKind = 'sequential' | 'veto' | 'waterfall';

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
  /**
   * Before a read (`find`, `findOne`, `count`, `countBy`, `stream` and what calls them): return the
   * options the read runs with, or nothing to keep them. Turns per-call options of a plugin into
   * MikroORM's (softDelete's `withDeleted` into `filters`). Synchronous: it runs on every read.
   */
  readOptions(options: ReadOptions, ctx: ReadOptionsContext<O, E>): ReadOptions | undefined | void;
  /**
   * Around `em.findOne` (so also `findOneOrFail`, `wrap(ref).init()` and `ref.load()`): return what
   * findOne would (the entity or null), or `call.load()` to leave the call to the next hook and then
   * to MikroORM. The cache plugin answers loads by primary key this way.
   */
  interceptFindOne(call: FindOneCall<O, E & object>): Promise<E | null>;
  /**
   * After MikroORM planned the joins of a read of the entity (its populate hints in `options.populate`,
   * the to-one relations it joins for their filters): a hook may change a hint's `joinType`.
   */
  afterJoinsPlanned(options: { readonly populate?: unknown; readonly filters?: unknown }, ctx: JoinContext<O, E>): HookResult;
  /**
   * After MikroORM built the filter conditions of the entity's joined relations (by relation name):
   * return the conditions to use, or nothing to keep them.
   */
  joinedFilters(conditions: Readonly<Record<string, unknown>>, ctx: JoinContext<O, E>): Readonly<Record<string, unknown>> | undefined | void;
}

export type CustomHookSignature<P, E = any, O = any> = (entity: E, payload: P, ctx: HookContext<O, E>) => HookResult;

/** The declared kind of a custom event (`sequential` unless `CustomEventKinds` says otherwise). */
export type KindOfCustom<K extends CustomEventName> = K extends keyof CustomEventKinds ? CustomEventKinds[K] & CustomEventKind : 'sequential';

/** A custom event's hook: a veto hook may return `false`; a waterfall hook returns the next value, or nothing to keep it. */
export type CustomHook<K extends CustomEventName, E = any, O = any> = {
  sequential: CustomHookSignature<CustomHookEvents[K], E, O>;
  veto: (entity: E, payload: CustomHookEvents[K], ctx: HookContext<O, E>) => VetoResult;
  waterfall: (entity: E, value: CustomHookEvents[K], ctx: HookContext<O, E>) => CustomHookEvents[K] | void | Promise<CustomHookEvents[K] | void>;
}[KindOfCustom<K>];

/** What `emit()` returns, by kind; a promise only when a hook was async. */
export type EmitResult<K extends CustomEventName> = {
  sequential: void | Promise<void>;
  /** `false` when a hook vetoed. */
  veto: boolean | Promise<boolean>;
  /** The value after every hook. */
  waterfall: CustomHookEvents[K] | Promise<CustomHookEvents[K]>;
}[KindOfCustom<K>];

/** Custom events declared as a list are sequential; the others are declared with their kind. */
export type SequentialCustomEvent = { [K in CustomEventName]: KindOfCustom<K> extends 'sequential' ? K : never }[CustomEventName];

/** `@plugin({ events })`: a list of sequential events, or each event with its kind. */
export type CustomEventDeclarations = readonly SequentialCustomEvent[] | { readonly [K in CustomEventName]?: KindOfCustom<K> };

export type AllHooks<E = any, O = any> = BuiltInHooks<E, O> & {
  [K in CustomEventName]: CustomHook<K, E, O>;
};

export type BuiltInEventName = keyof BuiltInHooks;
export type CustomEventName = keyof CustomHookEvents & string;
export type HookEventName = BuiltInEventName | CustomEventName;

/** The method type a hook on `K` must have. */
export type HookFunction<K extends HookEventName> = AllHooks[K];

/**
 * How the dispatcher treats results (after Rollup's hook kinds). Every kind runs through the same
 * compiled chain, order and error tagging:
 * - `sequential`: every hook runs in order, results are ignored;
 * - `veto`: a hook returning `false` stops the chain and vetoes the operation;
 * - `waterfall`: each hook gets the value the previous one returned (nothing keeps it);
 * - `collect`: every hook runs, and the values they return are gathered (`queryFilter`'s conditions);
 * - `around`: each hook wraps the rest of the chain and the operation itself (`call.load()`);
 * - `settled`: every hook runs even when one fails, and the failures are returned (`onUnload`).
 */
export type HookKind = 'sequential' | 'veto' | 'waterfall' | 'collect' | 'around' | 'settled';

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
  queryFilter: 'collect',
  readOptions: 'waterfall',
  interceptFindOne: 'around',
  afterJoinsPlanned: 'sequential',
  joinedFilters: 'waterfall',
} as const satisfies Record<BuiltInEventName, HookKind>;

/**
 * Plugin-level events: `Plugin` methods with no entity, dispatched once per plugin in registration
 * order (`onUnload` in reverse). `onLoad` stops at the first failure; `onUnload` lets every plugin close.
 */
export const PLUGIN_EVENTS = {
  onLoad: 'sequential',
  onUnload: 'settled',
} as const satisfies Record<string, HookKind>;

export type PluginEventName = keyof typeof PLUGIN_EVENTS;

/** The kind of a built-in event, as the type system sees it. */
export type KindOf<K extends BuiltInEventName> = (typeof BUILT_IN_EVENTS)[K];

/** Read events: a hook may run for entities its plugin is not attached to (`appliesTo`), since a read of one entity reaches others. */
export const READ_EVENTS: ReadonlySet<string> = new Set<BuiltInEventName>(['readOptions', 'interceptFindOne', 'afterJoinsPlanned', 'joinedFilters']);

export type DispatchedEvent = Exclude<HookEventName, 'beforeSave' | 'afterSave'>;

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
  return typeof name === 'string' && Object.hasOwn(BUILT_IN_EVENTS, name);
}

export function eventKind(name: string): HookKind {
  return isBuiltInEvent(name) ? BUILT_IN_EVENTS[name] : 'sequential';
}
