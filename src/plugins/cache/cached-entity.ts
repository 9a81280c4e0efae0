import type { EntityMetadata, Platform } from '@mikro-orm/core';
import { primaryKeyValues } from '../../core.js';
import type { CacheMetrics } from './metrics.js';
import type { CacheStore } from './store.js';

/** What the cache plugin keeps per cached entity of an ORM. */
export interface CachedEntity {
  readonly entity: string;
  /** Its namespace in the store (`prefix`), unique among the ORM's cached entities. */
  readonly ns: string;
  /** The store its options name; undefined: the `CacheStore` plugin type's selection. */
  readonly fixed: CacheStore | undefined;
  readonly metrics: CacheMetrics;
}

/**
 * Where a primary key's entries live. `id` is the store key: stamps and invalidations go by it. It is
 * the key as MikroORM compares it (`primaryKeyValues`) with strings folded (case, accents, trailing
 * spaces), so every spelling a collation or a UUID column may treat as the same row shares one stamp,
 * and a write under any spelling drops them all. `exact` (unfolded) tells apart the entries of spellings
 * a case-sensitive database keeps apart; only a read whose `exact` equals the loaded row's fills.
 */
export interface CacheKey {
  readonly id: string;
  readonly exact: string;
}

export function cacheKeyOf(meta: EntityMetadata, values: readonly unknown[], platform: Platform): CacheKey | undefined {
  const key = primaryKeyValues(meta, values, platform);
  if (key === undefined) return undefined;
  if (key.length === 1) {
    // Every hit's path for a one-column key: no arrays, no JSON.
    const value = key[0]!;
    const exact = String(value);
    return { id: typeof value === 'string' ? fold(value) : exact, exact };
  }
  const exact = key.length === 1 ? String(key[0]) : JSON.stringify(key.map(String));
  const folded = key.map(v => (typeof v === 'string' ? fold(v) : String(v)));
  return { id: folded.length === 1 ? folded[0]! : JSON.stringify(folded), exact };
}

/** Coarser than any collation we know of: compatibility forms, no accents, one case, no trailing spaces. */
function fold(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value.toLowerCase().replace(/ +$/, '') : value.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase().toLowerCase().replace(/ +$/, '');
}
