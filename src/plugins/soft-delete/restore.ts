import { DriverException, EntitySchema, InvalidFieldNameException, SyntaxErrorException, type EntityManager, type EntityMetadata, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { PluginConfigError, invalidArgument, metadataOf, pluginOptions } from '../../core.js';
import { cascadeRelations, relatedRows } from './cascade-relations.js';
import { clearedValues } from './deletion-stamp.js';
import type { SoftDeleteOptions } from './options.js';
import { withDeleted } from './plugin.js';

type Row = Record<string, unknown>;

export interface RestoreOptions {
  /**
   * Also restore the rows the same deletion batch took with it: through the cascade relations
   * (`cascade` plus `Cascade.Remove`), and theirs, every row carrying that batch id. Rows deleted
   * earlier on their own have another batch and stay deleted. Default `false`.
   */
  readonly cascade?: boolean;
}

/**
 * Marks a soft-deleted entity live again (clears `deletedAt`, its batch and `deletedBy`); the next
 * flush saves it, with `beforeRestore`/`afterRestore` for each restored row, in one transaction with
 * whatever else is pending, as `em.remove()` does. A live entity is left as it is. Async because
 * `cascade` loads the rows of the batch; without it the entity is cleared before `restore` returns.
 */
export function restore<T extends object>(em: EntityManager, entity: T, options?: RestoreOptions): Promise<T>;
/** Loads every soft-deleted row of `entityName` matching `where` and marks each live again (the next flush saves them, hooks per entity). */
export function restore<T extends object>(em: EntityManager, entityName: EntityName<T>, where: FilterQuery<T>, options?: RestoreOptions): Promise<T[]>;
export function restore(em: EntityManager, target: object, whereOrOptions?: unknown, options?: RestoreOptions): Promise<unknown> {
  if (typeof target === 'function' || target instanceof EntitySchema) return restoreWhere(em, target as EntityName<object>, whereOrOptions as FilterQuery<object>, options);
  return restoreOne(em, target, whereOrOptions as RestoreOptions | undefined);
}

function checked(options: RestoreOptions | undefined): RestoreOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArgument('restore', 'options', 'an object { cascade }', options);
  return options ?? {};
}

async function restoreOne<T extends object>(em: EntityManager, entity: T, given?: RestoreOptions): Promise<T> {
  const options = checked(given);
  // Cleared before the first await, so `restore(em, entity); await em.flush()` works as it always did.
  const meta = metadataOf(em, entity);
  const batch = clear(entity, softDeleteOptionsOf(em, meta));
  if (options.cascade === true && batch !== undefined) await restoreBatchBelow(em, [{ entity, meta }], batch);
  return entity;
}

async function restoreWhere<T extends object>(em: EntityManager, entityName: EntityName<T>, where: FilterQuery<T> = {}, given?: RestoreOptions): Promise<T[]> {
  const options = checked(given);
  if (typeof where !== 'object' || where === null) throw invalidArgument('restore', 'where', 'a filter object', where);
  const meta = metadataOf(em, entityName);
  const own = softDeleteOptionsOf(em, meta);
  const rows = await em.find(meta.class, { $and: [where, { [own.field]: { $ne: null } }] } as never, withDeleted()).catch((error: unknown) => {
    // A condition MikroORM cannot read (`{ $or: 1 }`, an unknown property) fails with an error of its own,
    // or as SQL the database refuses; the database's other errors (connection, locks) are its own.
    if (error instanceof DriverException && !(error instanceof SyntaxErrorException) && !(error instanceof InvalidFieldNameException)) throw error;
    throw Object.assign(invalidArgument('restore', 'where', 'a filter MikroORM accepts', where), { cause: error });
  });
  const batches = new Map<string, { entity: object; meta: EntityMetadata }[]>();
  for (const row of rows) {
    const batch = clear(row, own);
    if (batch !== undefined) batches.set(batch, [...(batches.get(batch) ?? []), { entity: row, meta }]);
  }
  if (options.cascade === true) for (const [batch, roots] of batches) await restoreBatchBelow(em, roots, batch);
  return rows as T[];
}

/** Clears the soft-delete columns of a deleted row; returns the batch it was deleted in, if any. */
function clear(entity: object, options: SoftDeleteOptions): string | undefined {
  const row = entity as Row;
  if (row[options.field] == null) return undefined;
  const batch = options.batchField === false ? undefined : row[options.batchField];
  Object.assign(row, clearedValues(options));
  return typeof batch === 'string' ? batch : undefined;
}

/** Walks the cascade relations down from `roots`, restoring every row deleted in `batch`. */
async function restoreBatchBelow(em: EntityManager, roots: { entity: object; meta: EntityMetadata }[], batch: string): Promise<void> {
  const queue = [...roots];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const prop of cascadeRelations(next.meta, softDeleteOptionsOf(em, next.meta))) {
      const targetOptions = pluginOptions(em, prop.targetMeta!.className, 'softDelete') as SoftDeleteOptions | undefined;
      // Without a batch column nothing tells which of the target's deleted rows this delete took.
      if (!targetOptions || targetOptions.batchField === false) continue;
      const batchField = targetOptions.batchField;
      for (const row of await relatedRows(em, next.entity, prop, { [batchField]: batch }, withDeleted())) {
        // The in-memory value decides: a row restored a moment ago in this walk is not visited twice.
        if ((row as Row)[batchField] !== batch || clear(row, targetOptions) === undefined) continue;
        queue.push({ entity: row, meta: prop.targetMeta! });
      }
    }
  }
}

function softDeleteOptionsOf(em: EntityManager, meta: EntityMetadata): SoftDeleteOptions {
  const options = pluginOptions(em, meta.className, 'softDelete') as SoftDeleteOptions | undefined;
  if (!options) {
    throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `${meta.className} does not use the softDelete plugin`, { plugin: 'softDelete', entity: meta.className });
  }
  return options;
}
