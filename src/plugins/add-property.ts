import { ReferenceKind, type EntityMetadata } from '@mikro-orm/core';

/**
 * Adds a scalar property at discovery unless the entity declares it; the schema generator then creates the column.
 * Use runtime type names ('Date', not 'datetime'): MikroORM 7.2 compares 'datetime' props as always dirty.
 */
export function addScalarProperty(meta: EntityMetadata, name: string, options: { type: string; nullable?: boolean; index?: boolean }): void {
  if (meta.properties[name as never]) return;
  (meta.properties as Record<string, unknown>)[name] = { name, kind: ReferenceKind.SCALAR, ...options };
}
