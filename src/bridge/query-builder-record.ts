import { PluginError, type PluginErrorCode } from '../errors.js';
import type { FilterOptions } from '@mikro-orm/core';
import type { Builder } from './orm-internals/index.js';
import type { GivenWhere } from './query-builder-where.js';

// What the package's QueryBuilder layer keeps per builder, and its error.

/** A builder was used in a way the plugins cannot follow; see the code. */
export class QueryBuilderError extends PluginError {
  override name = 'QueryBuilderError';
}

/** What a builder runs with, set by `withQueryOptions(qb, …)` (and `withDeleted(qb)`, `onlyDeleted(qb)`). */
export interface QueryBuilderOptions {
  /** Filter options for the plugins' filters, as on `em.find`: `false` for none, `{ softDelete: false }` for deleted rows too. */
  filters?: FilterOptions;
  /** `delete()`: delete the rows for real even when a `beforeBulkDelete` hook (soft delete) vetoes. */
  hard?: boolean;
}

/** Per builder: its options and what it recorded of the query it describes. */
export interface Recorded {
  options: QueryBuilderOptions;
  /** The root's plugin filters are in the where-condition (or `applyFilters()` put them there). */
  filtered: boolean;
  /** Plugin filters were added to a join or a relation condition, with the options of that moment. */
  filteredRelations: boolean;
  /** The where-condition as given to where/andWhere/orWhere/delete, combined as MikroORM combines them. */
  where: GivenWhere;
  data: unknown;
  explicitJoin: boolean;
  /** Inside `where()`: joins made then come from the condition, not from the user. */
  whereDepth: number;
}
export const RECORDED = Symbol('mikro-orm-plugins:query-builder');
export type Branded = Builder & { [RECORDED]: Recorded };

export const fresh = (options: QueryBuilderOptions = {}): Recorded => ({
  options,
  filtered: false,
  filteredRelations: false,
  where: undefined,
  data: undefined,
  explicitJoin: false,
  whereDepth: 0,
});

/** A QueryBuilderError naming the builder's entity. */
export function builderError(code: PluginErrorCode, qb: Builder, message: string): QueryBuilderError {
  const entity = qb.mainAlias.meta?.className;
  return new QueryBuilderError(code, `QueryBuilder of ${entity ?? 'a table'}: ${message}`, entity === undefined ? {} : { entity });
}
