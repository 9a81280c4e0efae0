import type { ChangeSet } from '@mikro-orm/core';
import type { EntityChanges, EntityHookCall, HookResult } from './events.js';

/** Before-events whose hooks may take the batch form: one call per class, before MikroORM writes. */
export type BatchBeforeEventName = 'beforeCreate' | 'beforeUpdate' | 'beforeSave';

/** After-events whose hooks may take the batch form `(entities, ctx)`: one call per class, after MikroORM wrote. */
export type BatchAfterEventName = 'afterCreate' | 'afterUpdate' | 'afterDelete' | 'afterSave';

/** The events whose hooks may take the batch form (`@hook(event, { batch: true })`). */
export type BatchableEventName = BatchBeforeEventName | BatchAfterEventName | 'afterChange';

/**
 * Context of a batch hook: one call for the entities of one class that one flush creates (or
 * updates). Per entity (when the flush cannot batch, see `HookOptions.batch`) the same hook gets a
 * one-entity list and this same interface.
 */
export interface BatchHookContext<O = any, E = any> extends EntityHookCall<O, E> {
  /**
   * Sets a scalar property of one of the entities, and writes it into this flush. A batch hook
   * must set values through here: a batch runs after MikroORM computed the change sets, so a plain
   * assignment would not be written by this flush.
   */
  set<K extends keyof E & string>(entity: E, property: K, value: E[K]): void;
}

/**
 * Context of a batch after-hook: one call for the entities of one class that one flush wrote, or
 * one entity per call when the flush dispatches the event per entity. Nothing to set: the rows are written.
 * `event` is `afterCreate`, `afterUpdate`, `afterDelete` (also for `afterSave` hooks) or `afterChange`.
 */
export interface BatchAfterHookContext<O = any, E = any> extends EntityHookCall<O, E> {
  /** The change sets MikroORM wrote, `changeSets[i]` of `entities[i]`. */
  readonly changeSets: readonly ChangeSet<E & object>[];
}

/** The method type of a batch before-hook: the entities in the order MikroORM persists them. */
export type BatchHookFunction<E = any, O = any> = (entities: readonly E[], ctx: BatchHookContext<O, E>) => HookResult;

/** The method type of a batch `afterCreate`, `afterUpdate`, `afterDelete` or `afterSave` hook. */
export type BatchAfterHookFunction<E = any, O = any> = (entities: readonly E[], ctx: BatchAfterHookContext<O, E>) => HookResult;

/** The method type of a batch `afterChange` hook: `changes[i]` is what was written of `entities[i]`. */
export type BatchChangeHookFunction<E = any, O = any> = (entities: readonly E[], changes: readonly EntityChanges<E>[], ctx: BatchAfterHookContext<O, E>) => HookResult;

/**
 * The method type of a batch hook on the events `K`: one form for all of them, so a list mixes
 * before-events, or after-events, or is `afterChange` alone (anything else is `never`).
 */
export type BatchHookFunctionOf<K extends BatchableEventName> = [K] extends [BatchBeforeEventName]
  ? BatchHookFunction
  : [K] extends [BatchAfterEventName]
    ? BatchAfterHookFunction
    : [K] extends ['afterChange']
      ? BatchChangeHookFunction
      : never;
