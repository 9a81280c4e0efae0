import { Utils, type FilterOptions } from '@mikro-orm/core';
import { ConflictingOptionsError } from './errors.js';

declare module '@mikro-orm/core' {
  // find, findOne, findOneOrFail, findAll, findAndCount, findByCursor and stream (their options extend FindOptions).
  interface FindOptions<Entity, Hint extends string = never, Fields extends string = never, Excludes extends string = never> {
    /** mikro-orm-plugins: soft-deleted rows too (the softDelete filter is lifted for this call). */
    withDeleted?: boolean;
    /** mikro-orm-plugins: soft-deleted rows only. Like any filter argument it reaches populated relations too. */
    onlyDeleted?: boolean;
  }
  interface CountOptions<T extends object, P extends string = never> {
    /** mikro-orm-plugins: count soft-deleted rows too. */
    withDeleted?: boolean;
    /** mikro-orm-plugins: count soft-deleted rows only. */
    onlyDeleted?: boolean;
  }
  interface CountByOptions<T extends object> {
    /** mikro-orm-plugins: count soft-deleted rows too. */
    withDeleted?: boolean;
    /** mikro-orm-plugins: count soft-deleted rows only. */
    onlyDeleted?: boolean;
  }
}

/** The name of the filter the softDelete plugin's `queryFilter` hook becomes. */
export const SOFT_DELETE_FILTER = 'softDelete';

type ReadOptions = { withDeleted?: boolean; onlyDeleted?: boolean; filters?: FilterOptions } & Record<string, unknown>;

/**
 * Turns `withDeleted` / `onlyDeleted` into the `filters` option MikroORM understands. Options without
 * them are returned as they are (no copy), so plain reads pay two property reads.
 */
export function deletedRowsOptions<O extends object | undefined>(entity: unknown, options: O): O {
  if (options == null || ((options as ReadOptions).withDeleted === undefined && (options as ReadOptions).onlyDeleted === undefined)) return options;
  const { withDeleted, onlyDeleted, ...rest } = options as ReadOptions;
  const name = Utils.className(entity as never);
  if (withDeleted === true && onlyDeleted === true) {
    throw new ConflictingOptionsError('MOP_CONFLICTING_OPTIONS', `${name}: a read cannot ask for withDeleted and onlyDeleted at once`, {
      entity: name,
      plugin: SOFT_DELETE_FILTER,
      option: 'withDeleted',
    });
  }
  if (withDeleted === true) return { ...rest, filters: withFilter(rest.filters, false) } as O;
  if (onlyDeleted === true) {
    if (rest.filters === false) {
      throw new ConflictingOptionsError('MOP_CONFLICTING_OPTIONS', `${name}: onlyDeleted needs the softDelete filter, which filters: false switches off`, {
        entity: name,
        plugin: SOFT_DELETE_FILTER,
        option: 'onlyDeleted',
      });
    }
    return { ...rest, filters: withFilter(rest.filters, { only: true }) } as O;
  }
  return rest as O; // both false: an ordinary read
}

/** `filters` with the softDelete filter set to `value`; `false` (every filter off) stays off. */
export function withFilter(filters: FilterOptions | undefined, value: boolean | Record<string, unknown>): FilterOptions {
  if (filters === false) return false;
  const named = Array.isArray(filters) ? Object.fromEntries(filters.map(f => [f, true])) : filters === true || filters == null ? {} : filters;
  return { ...named, [SOFT_DELETE_FILTER]: value } as FilterOptions;
}
