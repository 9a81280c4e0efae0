import type { EntityMetadata, FilterOptions } from '@mikro-orm/core';
import { ConflictingOptionsError } from './errors.js';
import { onlyDeletedOf, unmarkedOnlyDeleted } from './only-deleted-root.js';

/**
 * `onlyDeleted: { relations }`: the relation paths whose target entities show deleted rows only too
 * (by default the relations a read joins or populates show live rows). The first segment is checked
 * by the compiler, the whole path at run time.
 */
export interface OnlyDeletedOptions<Entity = any> {
  relations: readonly RelationPath<Entity>[];
}

/** A relation name of `Entity`, or a dotted path starting with one (`'books'`, `'books.author'`). */
export type RelationPath<Entity> = unknown extends Entity ? string : (keyof Entity & string) | `${keyof Entity & string}.${string}`;

declare module '@mikro-orm/core' {
  // find, findOne, findOneOrFail, findAll, findAndCount, findByCursor and stream (their options extend FindOptions).
  interface FindOptions<Entity, Hint extends string = never, Fields extends string = never, Excludes extends string = never> {
    /** mikro-orm-plugins: soft-deleted rows too (the softDelete filter is lifted for this call). */
    withDeleted?: boolean;
    /** mikro-orm-plugins: soft-deleted rows only, of the entity read; the relations it joins or populates show live rows, except those named in `relations`. */
    onlyDeleted?: boolean | OnlyDeletedOptions<Entity>;
  }
  interface CountOptions<T extends object, P extends string = never> {
    /** mikro-orm-plugins: count soft-deleted rows too. */
    withDeleted?: boolean;
    /** mikro-orm-plugins: count soft-deleted rows only (and, with `relations`, through deleted rows of those relations). */
    onlyDeleted?: boolean | OnlyDeletedOptions<T>;
  }
  interface CountByOptions<T extends object> {
    /** mikro-orm-plugins: count soft-deleted rows too. */
    withDeleted?: boolean;
    /** mikro-orm-plugins: count soft-deleted rows only. */
    onlyDeleted?: boolean | OnlyDeletedOptions<T>;
  }
}

/** The name of the filter the softDelete plugin's `queryFilter` hook becomes. */
export const SOFT_DELETE_FILTER = 'softDelete';

type ReadOptions = { withDeleted?: boolean; onlyDeleted?: boolean | OnlyDeletedOptions; filters?: FilterOptions } & Record<string, unknown>;

/**
 * Turns `withDeleted` / `onlyDeleted` into the `filters` option MikroORM understands; deleted rows
 * only (`onlyDeleted`, or the filter's `{ only: true }`) are asked of `meta`, the entity read, alone.
 * Options without them are returned as they are (no copy), so plain reads pay a few property reads.
 */
export function deletedRowsOptions<O extends object | undefined>(meta: EntityMetadata, options: O): O {
  if (options == null) return options;
  if ((options as ReadOptions).withDeleted === undefined && (options as ReadOptions).onlyDeleted === undefined) return rootOnly(meta, options);
  const { withDeleted, onlyDeleted: only, ...rest } = options as ReadOptions;
  const relations = isOnlyDeletedOptions(only) ? only.relations : undefined;
  const onlyDeleted = only === true || relations !== undefined;
  const name = meta.className;
  if (withDeleted === true && onlyDeleted) {
    throw new ConflictingOptionsError('MOP_CONFLICTING_OPTIONS', `${name}: a read cannot ask for withDeleted and onlyDeleted at once`, {
      entity: name,
      plugin: SOFT_DELETE_FILTER,
      option: 'withDeleted',
    });
  }
  if (withDeleted === true) return { ...rest, filters: withFilter(rest.filters, false) } as O;
  if (onlyDeleted) {
    if (rest.filters === false) {
      throw new ConflictingOptionsError('MOP_CONFLICTING_OPTIONS', `${name}: onlyDeleted needs the softDelete filter, which filters: false switches off`, {
        entity: name,
        plugin: SOFT_DELETE_FILTER,
        option: 'onlyDeleted',
      });
    }
    return { ...rest, filters: withFilter(rest.filters, onlyDeletedOf(meta, relations === undefined ? undefined : { only: true, relations })) } as O;
  }
  return rootOnly(meta, rest) as O; // both false: an ordinary read
}

const isOnlyDeletedOptions = (value: unknown): value is OnlyDeletedOptions => value !== null && typeof value === 'object';

/** `filters: { softDelete: { only: true } }` (the `onlyDeleted()` helper) marked with the entity read, unless a read above marked it. */
function rootOnly<O extends object>(meta: EntityMetadata, options: O): O {
  const filters = (options as ReadOptions).filters;
  if (filters === null || typeof filters !== 'object' || Array.isArray(filters)) return options;
  const args = (filters as Record<string, unknown>)[SOFT_DELETE_FILTER];
  if (!unmarkedOnlyDeleted(args)) return options;
  return { ...options, filters: { ...filters, [SOFT_DELETE_FILTER]: onlyDeletedOf(meta, args as object) } };
}

/** `filters` with the softDelete filter set to `value`; `false` (every filter off) stays off. */
export function withFilter(filters: FilterOptions | undefined, value: boolean | Record<string, unknown>): FilterOptions {
  if (filters === false) return false;
  const named = Array.isArray(filters) ? Object.fromEntries(filters.map(f => [f, true])) : filters === true || filters == null ? {} : filters;
  return { ...named, [SOFT_DELETE_FILTER]: value } as FilterOptions;
}
