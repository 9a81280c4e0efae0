import type { EntityMetadata, EntityProperty, Platform } from '@mikro-orm/core';

/** One primary key value as MikroORM compares it: a number, or a string (bigints as their decimal digits). */
export type PrimaryKeyValue = string | number;

/**
 * The primary key values `values` name, as MikroORM compares them: each through its property's type
 * (`convertToDatabaseValue` of a custom type, then the JavaScript type the property compares as), so
 * `'01'` for an integer key is `1` and a bigint key is one decimal string however it was spelled.
 * Undefined when the values cannot be this entity's primary key (wrong count, an object, a non-numeric
 * string for a numeric key, a number for a string key): callers then treat the read as not by key.
 *
 * Case, accents or trailing spaces are the database's business (a collation, a UUID column): two
 * values this returns as different may still name one row.
 */
export function primaryKeyValues(meta: EntityMetadata, values: readonly unknown[], platform: Platform): PrimaryKeyValue[] | undefined {
  const props = meta.getPrimaryProps();
  if (values.length !== props.length || values.length === 0) return undefined;
  const out: PrimaryKeyValue[] = [];
  for (let i = 0; i < props.length; i++) {
    const value = canonical(props[i]!, values[i], platform);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

function canonical(prop: EntityProperty, value: unknown, platform: Platform): PrimaryKeyValue | undefined {
  if (value === null || value === undefined || (typeof value === 'object' && !(prop.customType && !Array.isArray(value)))) return undefined;
  let db = value;
  let compareAs = prop.runtimeType as string | undefined;
  if (prop.customType) {
    try {
      db = prop.customType.convertToDatabaseValue(value, platform, { mode: 'query', key: prop.name });
    } catch {
      return undefined; // the type rejects it: MikroORM would too
    }
    compareAs = prop.customType.compareAsType();
  }
  switch (compareAs) {
    case 'number':
      if (typeof db === 'number') return Number.isFinite(db) ? db : undefined;
      if (typeof db === 'bigint') return Number(db);
      return typeof db === 'string' && db.trim() !== '' && Number.isFinite(Number(db)) ? Number(db) : undefined;
    case 'bigint':
      if (typeof db === 'bigint') return String(db);
      if (typeof db === 'number') return Number.isSafeInteger(db) ? String(db) : undefined;
      return typeof db === 'string' && /^\s*[-+]?\d+\s*$/.test(db) ? BigInt(db.trim()).toString() : undefined;
    case 'string':
      return typeof db === 'string' ? db : undefined;
    default:
      // Custom types compared as anything else: a primitive in database form stands for itself.
      return typeof db === 'string' || typeof db === 'number' ? db : typeof db === 'bigint' ? String(db) : undefined;
  }
}
