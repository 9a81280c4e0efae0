import { p, type EntityManager, type EntityMetadata, type FilterQuery } from '@mikro-orm/core';
import { emit } from '../../bridge/emit.js';
import { pluginOptions } from '../../bridge/inspect.js';
import { withoutPlugins } from '../../bridge/scope.js';
import { PluginConfigError } from '../../errors.js';
import type { HookContext, QueryFilterContext } from '../../events.js';
import type { Plugin, SetupContext } from '../../plugin-api.js';
import { hook } from '../../registry/hook-decorator.js';
import { plugin } from '../../registry/plugin-decorator.js';
import { addScalarProperty } from '../add-property.js';
import { addLiveUnique } from './live-unique.js';
import { SOFT_DELETE_DEFAULTS, validateSoftDeleteOptions, type SoftDeleteOptions } from './options.js';

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

/**
 * `em.remove()` + flush sets `deletedAt` instead of deleting: the `beforeDelete` hook vetoes the
 * delete after stamping the entity, and the plugin system saves it as an update with every
 * foreign key kept. Reads hide deleted rows through a `queryFilter`.
 */
@plugin({
  name: 'softDelete',
  version: '1.0.0',
  description: 'em.remove() sets deletedAt; reads hide deleted rows; restore() brings them back.',
  options: { defaults: SOFT_DELETE_DEFAULTS, validate: validateSoftDeleteOptions },
})
export class SoftDeletePlugin implements Plugin<SoftDeleteOptions> {
  readonly #deleting = new WeakSet<object>();
  readonly #restoring = new WeakSet<object>();

  setupEntity(meta: EntityMetadata, { options, platform }: SetupContext<SoftDeleteOptions>): void {
    addScalarProperty(meta, options.field, { type: 'Date', nullable: true, index: true });
    for (const unique of options.unique) addLiveUnique(meta, platform, options.field, typeof unique === 'string' ? [unique] : unique);
  }

  @hook('queryFilter')
  hideDeleted({ options, args }: QueryFilterContext<SoftDeleteOptions>): FilterQuery<any> {
    return { [options.field]: args?.only === true ? { $ne: null } : null };
  }

  @hook('beforeDelete')
  softDelete(entity: Row, ctx: HookContext<SoftDeleteOptions>): false | Promise<false> {
    const { field } = ctx.options;
    if (entity[field] != null) return false; // already deleted: keep it that way
    const stamp = (): false => {
      entity[field] = new Date();
      this.#deleting.add(entity);
      return false;
    };
    const pending = emit(ctx.em, 'beforeSoftDelete', entity);
    return pending ? pending.then(stamp) : stamp();
  }

  /**
   * `em.nativeDelete`: vetoes the DELETE and asks for an UPDATE setting the field instead (rows the
   * filter hides, already deleted, are not touched). `{ hard: true }` deletes for real.
   */
  @hook('beforeBulkDelete')
  softDeleteMany(_entityName: string, _where: unknown, data: Row, { options }: HookContext<SoftDeleteOptions>): false {
    data[options.field] = new Date();
    return false;
  }

  @hook('beforeUpdate')
  noticeRestore(entity: Row, ctx: HookContext<SoftDeleteOptions>): void | Promise<void> {
    const { field } = ctx.options;
    const wasDeleted = (ctx.changeSet?.originalEntity as Row | undefined)?.[field] != null;
    if (!wasDeleted || entity[field] != null) return;
    this.#restoring.add(entity);
    return emit(ctx.em, 'beforeRestore', entity);
  }

  @hook('afterUpdate')
  announce(entity: Row, ctx: HookContext<SoftDeleteOptions>): void | Promise<void> {
    if (this.#deleting.delete(entity)) return emit(ctx.em, 'afterSoftDelete', entity);
    if (this.#restoring.delete(entity)) return emit(ctx.em, 'afterRestore', entity);
  }
}

/** The typed `deletedAt` column for `defineEntity` entities: `properties: { ...softDeleteProperties() }`. */
export function softDeleteProperties() {
  return { deletedAt: p.datetime().nullable().index() };
}

/** Filter options for one query: `em.find(User, {}, withDeleted())`. */
export function withDeleted(): { filters: { softDelete: false } } {
  return { filters: { softDelete: false } };
}

/** Only soft-deleted rows: `em.find(User, {}, onlyDeleted())`. */
export function onlyDeleted(): { filters: { softDelete: { only: true } } } {
  return { filters: { softDelete: { only: true } } };
}

/** Marks a soft-deleted entity live again; `beforeRestore`/`afterRestore` fire on the next flush. */
export function restore<T extends object>(em: EntityManager, entity: T): T {
  (entity as Row)[softDeleteField(em, entity)] = null;
  return entity;
}

/** Deletes the row for real (the user's own delete hooks still fire) and flushes. */
export async function hardDelete(em: EntityManager, entity: object): Promise<void> {
  await withoutPlugins(['softDelete'], () => em.remove(entity).flush());
}

function softDeleteField(em: EntityManager, entity: object): string {
  const options = pluginOptions(em, entity, 'softDelete') as SoftDeleteOptions | undefined;
  if (!options) {
    throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `${entity.constructor.name} does not use the softDelete plugin`, {
      plugin: 'softDelete',
      entity: entity.constructor.name,
    });
  }
  return options.field;
}
