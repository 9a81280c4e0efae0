import { EntitySchema, MetadataStorage, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';

/** A property of the entity or of a base it extends; at discovery, inherited ones are not copied in yet. */
export function declaredProperty(meta: EntityMetadata, name: string): EntityProperty | undefined {
  if (meta.properties[name as never]) return meta.properties[name as never];
  const base = meta.extends;
  if (base instanceof EntitySchema) return declaredProperty(base.meta, name);
  for (let cls = meta.class && Object.getPrototypeOf(meta.class); typeof cls === 'function' && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
    if (!Object.hasOwn(cls, MetadataStorage.PATH_SYMBOL)) continue; // not decorated
    const found = MetadataStorage.getMetadata(cls.name, cls[MetadataStorage.PATH_SYMBOL], cls).properties[name];
    if (found) return found as EntityProperty;
  }
  return undefined;
}
