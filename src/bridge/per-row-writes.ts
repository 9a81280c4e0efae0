import type { EntityManager } from '@mikro-orm/core';
import { PluginError } from '../errors.js';
import type { Found } from './native-writes.js';
import { withoutPlugins } from './scope.js';

type AnyOptions = Record<string, any>;

/** Rows `perRow` loads at most when neither the call nor `pluginSystem({ rowLimit })` says. */
export const DEFAULT_ROW_LIMIT = 1000;

/** A `perRow` operation matched more rows than its limit; nothing was written. */
export class RowLimitError extends PluginError {
  override name = 'RowLimitError';
  readonly limit: number;

  constructor(entity: string, operation: 'nativeUpdate' | 'nativeDelete', limit: number) {
    super(
      'MOP_ROW_LIMIT',
      `${operation}(${entity}, …, { perRow: true }) matches more than ${limit} rows; nothing was written. Raise rowLimit or narrow the where-condition`,
      { entity },
    );
    this.limit = limit;
  }
}


/** Loads the rows a native operation would touch, in a fork that shares the caller's transaction. */
async function loadRows(em: EntityManager, found: Found, where: unknown, options: AnyOptions, rowLimit: number | undefined, operation: 'nativeUpdate' | 'nativeDelete') {
  const limit = rowLimit ?? found.runtime.rowLimit ?? DEFAULT_ROW_LIMIT;
  const fork = em.fork({ keepTransactionContext: true, clear: true });
  const rows = await fork.find(found.meta.class, where as never, {
    filters: options.filters,
    schema: options.schema,
    limit: limit + 1,
  });
  if (rows.length > limit) throw new RowLimitError(found.meta.className, operation, limit);
  return { fork, rows };
}

export async function updatePerRow(em: EntityManager, found: Found, where: unknown, data: object, options: AnyOptions, rowLimit: number | undefined): Promise<number> {
  const { fork, rows } = await loadRows(em, found, where, options, rowLimit, 'nativeUpdate');
  for (const row of rows) fork.assign(row, data as never);
  await fork.flush();
  return rows.length;
}

export async function deletePerRow(em: EntityManager, found: Found, where: unknown, options: AnyOptions, rowLimit: number | undefined, hard: boolean): Promise<number> {
  const { fork, rows } = await loadRows(em, found, where, options, rowLimit, 'nativeDelete');
  for (const row of rows) fork.remove(row);
  // A hard delete switches off the plugins that could veto it, as `hardDelete()` does for softDelete.
  const vetoing = hard ? [...new Set((found.chains.beforeDelete?.links ?? []).map(l => l.plugin))] : [];
  await (vetoing.length > 0 ? withoutPlugins(vetoing, () => fork.flush()) : fork.flush());
  return rows.length;
}
