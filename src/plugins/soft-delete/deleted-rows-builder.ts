import type { EntityMetadata } from '@mikro-orm/core';
import { queryOptionsOf, withQueryOptions, type AnyQueryBuilder } from '../../core.js';
import { withFilter } from './find-options.js';
import { onlyDeletedOf } from './only-deleted-root.js';

/**
 * `withDeleted(qb)` / `onlyDeleted(qb)`: sets the softDelete filter of a builder from the package's
 * EntityManager, for its reads (and its update()/delete(), which go through nativeUpdate/nativeDelete).
 * `onlyDeleted` concerns the builder's own entity (and the targets of `relations`); the entities it joins show live rows.
 */
export function deletedRowsOf<Q extends AnyQueryBuilder>(qb: Q, only: boolean, relations?: readonly string[]): Q {
  const meta = (qb as unknown as { mainAlias?: { meta?: EntityMetadata } } | null)?.mainAlias?.meta;
  const only_ = relations === undefined ? { only: true } : { only: true, relations };
  const args = !only ? false : meta ? onlyDeletedOf(meta, only_, false) : only_;
  return withQueryOptions(qb, { filters: withFilter(queryOptionsOf(qb).filters, args) });
}
