import { queryOptionsOf, withQueryOptions, type AnyQueryBuilder } from '../../core.js';
import { withFilter } from './find-options.js';

/**
 * `withDeleted(qb)` / `onlyDeleted(qb)`: sets the softDelete filter of a builder from the package's
 * EntityManager, for its reads (and its update()/delete(), which go through nativeUpdate/nativeDelete).
 */
export function deletedRowsOf<Q extends AnyQueryBuilder>(qb: Q, only: boolean): Q {
  return withQueryOptions(qb, { filters: withFilter(queryOptionsOf(qb).filters, only ? { only: true } : false) });
}
