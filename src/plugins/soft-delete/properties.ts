import { p } from '@mikro-orm/core';
import { invalidArgument, markColumn } from '../../core.js';

const base = () => ({ deletedAt: markColumn(p.datetime().nullable().index()), deletionBatch: markColumn(p.string().nullable()) });
const withDeletedBy = () => ({ ...base(), deletedBy: markColumn(p.string().nullable()) });

/**
 * The typed soft-delete columns for `defineEntity` entities, under the default option names:
 * `properties: { ...softDeleteProperties() }` gives `deletedAt` and `deletionBatch`;
 * `softDeleteProperties({ deletedBy: true })` adds `deletedBy`, for `{ softDelete: { deletedBy: 'deletedBy' } }`.
 */
export function softDeleteProperties(options?: { deletedBy?: false }): ReturnType<typeof base>;
export function softDeleteProperties(options: { deletedBy: true }): ReturnType<typeof withDeletedBy>;
export function softDeleteProperties(options: { deletedBy?: boolean } = {}): object {
  if (typeof options !== 'object' || options === null) throw invalidArgument('softDeleteProperties', 'options', 'an object { deletedBy }', options);
  return options.deletedBy === true ? withDeletedBy() : base();
}
