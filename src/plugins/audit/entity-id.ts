import { Utils, type EntityMetadata } from '@mikro-orm/core';

/** How a primary key is written into `entityId`: a string, or for composite keys a JSON array of strings. */
export function serializeEntityId(meta: EntityMetadata, pk: unknown): string {
  if (meta.primaryKeys.length > 1 || Array.isArray(pk)) {
    const parts = Array.isArray(pk) ? pk : Utils.isPlainObject(pk) ? meta.primaryKeys.map(k => (pk as Record<string, unknown>)[k]) : [pk];
    return JSON.stringify(parts.map(part));
  }
  return part(Utils.isPlainObject(pk) ? (pk as Record<string, unknown>)[meta.primaryKeys[0]!] : pk);
}

function part(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
