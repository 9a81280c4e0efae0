import type { CacheMetrics } from './metrics.js';
import type { CacheStore } from './store.js';

/** What the cache plugin keeps per cached entity of an ORM. */
export interface CachedEntity {
  readonly entity: string;
  /** Its namespace in the store (`prefix`), unique among the ORM's cached entities. */
  readonly ns: string;
  readonly ttlMs: number;
  /** The store its options name; undefined: the `CacheStore` plugin type's selection. */
  readonly fixed: CacheStore | undefined;
  readonly metrics: CacheMetrics;
}

/** The serialized primary key: the value itself for one column, a JSON array for composite keys; undefined for anything else. */
export function serializeId(values: readonly unknown[], primaryKeyCount: number): string | undefined {
  if (values.length !== primaryKeyCount || values.length === 0) return undefined;
  if (values.length === 1) {
    const value = values[0];
    return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
  }
  const parts: string[] = [];
  for (const value of values) {
    if (typeof value === 'number' || typeof value === 'bigint') parts.push(String(value));
    else if (typeof value === 'string') parts.push(value);
    else return undefined;
  }
  return JSON.stringify(parts);
}
