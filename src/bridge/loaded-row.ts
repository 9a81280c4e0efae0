import { JsonType, type EntityManager, type EntityMetadata } from '@mikro-orm/core';

/**
 * A loaded entity's row as `hydrateLoaded` needs it to rebuild the same entity: MikroORM's snapshot
 * of it (database form, a copy), with JSON values back in the form the driver returned them. The
 * snapshot keeps JSON as text; a platform whose driver parses JSON itself (PostgreSQL) would hydrate
 * that text as a string, so it is parsed here, as MikroORM's own JsonType does when forced.
 * Undefined when the entity has no snapshot (not loaded from the database).
 */
export function loadedRow(em: EntityManager, meta: EntityMetadata, entity: object): Record<string, unknown> | undefined {
  const snapshot = em.getUnitOfWork().getOriginalEntityData(entity as never) as Record<string, unknown> | undefined;
  if (!snapshot) return undefined;
  const row = { ...snapshot };
  const platform = em.getPlatform();
  if (!platform.convertsJsonAutomatically()) return row;
  for (const prop of meta.props) {
    const value = row[prop.name];
    // Object-mode embeddables are kept as objects in the snapshot, their properties inside them.
    if (typeof value === 'string' && prop.customType instanceof JsonType && !prop.object) {
      row[prop.name] = prop.customType.convertToJSValue(value, platform, { force: true });
    }
  }
  return row;
}
