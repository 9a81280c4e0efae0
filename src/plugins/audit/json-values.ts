import { isDeepStrictEqual } from 'node:util';
import { JsonType, Reference, Utils, wrap, type EntityProperty } from '@mikro-orm/core';

/**
 * Turns a value from a change set into the JSON-safe form the audit row keeps. Change sets hold
 * driver-specific forms (SQLite gives dates as epoch milliseconds and JSON properties as text,
 * PostgreSQL gives `Date`s), so rows would differ by database without this.
 */
export function toAuditValue(prop: EntityProperty | undefined, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (prop?.runtimeType === 'Date' || value instanceof Date) return toIsoDate(value);
  if (typeof value === 'string' && prop && isJsonProperty(prop)) return parseJson(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Reference.isReference(value)) return wrap(value.unwrap(), true).getPrimaryKey();
  if (Utils.isEntity(value)) return wrap(value, true).getPrimaryKey();
  return value;
}

/** Back from the row's form to the entity's: ISO strings of date properties become `Date`s again. */
export function fromAuditValue(prop: EntityProperty | undefined, value: unknown): unknown {
  if (prop?.runtimeType === 'Date' && typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date;
  }
  return value;
}

export function sameAuditValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

function toIsoDate(value: unknown): unknown {
  const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : value;
}

function isJsonProperty(prop: EntityProperty): boolean {
  return prop.customType instanceof JsonType || /^jsonb?$/i.test(String(prop.type));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
