/** Counters of one entity's cache, since the ORM started. */
export interface CacheMetrics {
  /** `findOne` by primary key answered from the cache. */
  hits: number;
  /** Looked up, not there (or stale): read from the database. */
  misses: number;
  /** Entries stored after a miss. */
  sets: number;
  /** Entries the store dropped for space (memory store; Redis evicts on its own). */
  evictions: number;
  /** Keys (or, for bulk writes, whole entity types) dropped after a commit. */
  invalidations: number;
  /** Reads by primary key that skipped the cache: in a transaction, with populate/fields/locks, filtered relations, no store selectable… */
  bypasses: number;
  /** Store calls that failed (the read or write went to the database instead). */
  errors: number;
}

export function emptyMetrics(): CacheMetrics {
  return { hits: 0, misses: 0, sets: 0, evictions: 0, invalidations: 0, bypasses: 0, errors: 0 };
}
