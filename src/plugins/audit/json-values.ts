import { isDeepStrictEqual } from 'node:util';
import { isRaw, JsonType, Reference, Utils, wrap, type EntityProperty } from '@mikro-orm/core';

/** What the audit keeps of a raw SQL fragment: its SQL or parameters may hold a secret, so only that it was raw. */
export const RAW_MARKER = '[raw SQL]';

/**
 * Turns a value from a change set into the JSON-safe form the audit row keeps. Change sets hold
 * driver-specific forms (SQLite gives dates as epoch milliseconds and JSON properties as text,
 * PostgreSQL gives `Date`s), so rows would differ by database without this.
 */
export function toAuditValue(prop: EntityProperty | undefined, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (isRaw(value)) return { $raw: RAW_MARKER };
  if (prop?.runtimeType === 'Date' || value instanceof Date) return toIsoDate(value);
  if (typeof value === 'string' && prop && isJsonProperty(prop)) return parseJson(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Reference.isReference(value)) return wrap(value.unwrap(), true).getPrimaryKey();
  if (Utils.isEntity(value)) return wrap(value, true).getPrimaryKey();
  return typeof value === 'object' ? markRaw(value, new WeakSet()) : value;
}

/**
 * A raw() fragment inside an object-mode embeddable or a JSON value becomes the marker too: left
 * alone, JSON would store MikroORM's own text of it (`raw('…')`) and a sink would get its SQL and parameters.
 * Copies only what holds one.
 */
function markRaw(value: unknown, seen: WeakSet<object>): unknown {
  if (isRaw(value)) return { $raw: RAW_MARKER };
  if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value) || seen.has(value)) return value;
  const object: object = value;
  if (Reference.isReference(object as never) || Utils.isEntity(object as never)) return value;
  seen.add(object);
  if (Array.isArray(object)) {
    const items = object.map((item: unknown) => markRaw(item, seen));
    return items.some((item, i) => item !== object[i]) ? items : value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(object)) {
    const marked = markRaw(child, seen);
    if (marked !== child) (copy ??= { ...object })[key] = marked;
  }
  return copy ?? value;
}

/** Whether a raw() fragment sits in the value, at any depth. */
export function holdsRaw(value: unknown): boolean {
  // A fragment is an object: a primitive or a date, the most common values, need no walk.
  if (value === null || typeof value !== 'object' || value instanceof Date) return false;
  return markRaw(value, new WeakSet()) !== value;
}

function isRawMarker(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { $raw?: unknown }).$raw === RAW_MARKER;
}

/** Back from the row's form to the entity's: ISO strings of date properties become `Date`s again. */
export function fromAuditValue(prop: EntityProperty | undefined, value: unknown): unknown {
  if (prop?.runtimeType === 'Date' && typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date;
  }
  return value;
}

/** Two raw markers say nothing about the values behind them, so they never count as "unchanged". */
export function sameAuditValue(a: unknown, b: unknown): boolean {
  if (a === b && (a === null || typeof a !== 'object')) return true;
  return !isRawMarker(a) && !isRawMarker(b) && isDeepStrictEqual(a, b);
}

// Conversions of the last few inputs, kept: a flush's rows share a handful of dates (the loaded
// updatedAt, one new time per flush), an update's record alternates between them, and toISOString is dear.
const recentIso = new Map<number | string, string>();
const RECENT_ISO = 16;

function toIsoDate(value: unknown): unknown {
  const key = value instanceof Date ? value.getTime() : value;
  if (typeof key !== 'number' && typeof key !== 'string') return value;
  const known = recentIso.get(key);
  if (known !== undefined) return known;
  const date = new Date(key);
  if (Number.isNaN(date.getTime())) return value;
  if (recentIso.size >= RECENT_ISO) recentIso.clear();
  const iso = date.toISOString();
  recentIso.set(key, iso);
  return iso;
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
